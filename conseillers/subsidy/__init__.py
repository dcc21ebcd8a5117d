"""The subsidy of the posts, a Django app of its own (label "subsidy") inside the programme module.

It depends on the programme (`conseillers.models`, `conseillers.abilities`,
`conseillers.formatting`), never the reverse: the programme announces its facts with the signals
of `conseillers.signals`, which this app's receivers answer (connected in `apps.py`), and reaches
it otherwise only through URL includes by name. Kept import-free: Django imports this package
before the models are ready.
"""
