"""The demo's public service: "Démarche en ligne (démo)", a client of Aidants Connect's
provider served by the same demo server."""

from __future__ import annotations

from idp.keys import ALGORITHMS, KEYS
from idp.models import RelyingParty
from idp.services import relying_party_register
from mandats.models import Demarche

DEMO_CLIENT_ID = "demarche-en-ligne-demo"
DEMO_CLIENT_SECRET = "demo-demarche-en-ligne-secret-0123456789abcdef"  # noqa: S105 - demo only
DEMO_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")
CALLBACK_PATH = "/demarche-en-ligne-demo/retour/"
HOME_PATH = "/demarche-en-ligne-demo/"


def load(origins: tuple[str, ...] = DEMO_ORIGINS) -> RelyingParty:
    """Register (or refresh) the demo service and make sure signing keys exist. Idempotent."""
    client = relying_party_register(
        client_id=DEMO_CLIENT_ID,
        name="Démarche en ligne (démo)",
        secret=DEMO_CLIENT_SECRET,
        redirect_uris=[origin + CALLBACK_PATH for origin in origins],
        post_logout_redirect_uris=[origin + HOME_PATH for origin in origins],
        demarches=[Demarche.SOCIAL, Demarche.LOGEMENT, Demarche.ARGENT, Demarche.PAPIERS],
        signing_algorithm="ES256",
        userinfo_format="jwt",
    )
    for algorithm in ALGORITHMS:
        KEYS.current(algorithm)
    return client
