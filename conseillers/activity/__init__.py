"""Activity reports (comptes rendus d'activité, CRA) of the conseillers, a Django app of its own
(label "activity") inside the programme module.

It depends on the programme (`conseillers.models`), never the reverse. Kept import-free: Django
imports this package before the models are ready.
"""
