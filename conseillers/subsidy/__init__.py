"""The subsidy of the posts, a Django app of its own (label "subsidy") inside the programme module.

It depends on the programme (`conseillers.models`, `conseillers.services`, `conseillers.api`); the
programme reaches it through the URL includes (`conseillers/urls.py`, `conseillers/api/urls.py`)
and, when ANCT validates a recruitment, through the hook that opens the post's schedule. Kept
import-free: Django imports this package before the models are ready.
"""
