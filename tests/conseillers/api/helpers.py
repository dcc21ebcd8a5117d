"""What the API tests share: personas, the JSON POST, expected error bodies, a query counter."""

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Every persona of tests/conftest.py, plus a caller without a session or a token.
PERSONAS = [
    "anct",
    "prefecture_37",
    "prefecture_region_centre",
    "gestionnaire",
    "colleague",
    "outsider",
    "anonymous",
]

NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Authentification requise : connectez-vous ou fournissez un jeton.",
    "details": {},
}
NOT_FOUND = {"code": "not_found", "message": "Ressource introuvable.", "details": {}}
CANNOT_ACT = {
    "code": "permission_denied",
    "message": "Vous ne pouvez pas effectuer cette action sur ce dossier, "
    "ou pas dans son état actuel.",
    "details": {},
}
ANCT_ONLY = {
    "code": "permission_denied",
    "message": "Seule l'ANCT peut effectuer cette action.",
    "details": {},
}


def post(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def invalid(details: dict) -> dict:
    return {
        "code": "invalid",
        "message": "Les données envoyées ne sont pas valides.",
        "details": details,
    }
