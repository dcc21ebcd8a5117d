"""The subsidy of the posts, a Django app of its own inside the programme module.

It depends on the programme (`conseillers.models`, `conseillers.services`), never the reverse:
the programme reaches it only through its URL includes. Kept import-free: Django imports this
package before the models are ready.
"""
