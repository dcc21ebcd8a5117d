"""The demo's public service: "Démarche en ligne (démo)", a client of Aidants Connect's
provider served by the same demo server."""

from __future__ import annotations

from core.links import demo_origins
from idp.keys import ALGORITHMS, KEYS
from idp.models import RelyingParty
from idp.services import relying_party_register
from mandats.models import Demarche

DEMO_CLIENT_ID = "demarche-en-ligne-demo"
DEMO_CLIENT_SECRET = "demo-demarche-en-ligne-secret-0123456789abcdef"  # noqa: S105 - demo only
CALLBACK_PATH = "/demarche-en-ligne-demo/retour/"
HOME_PATH = "/demarche-en-ligne-demo/"


def load(origins: tuple[str, ...] | None = None) -> RelyingParty:
    """Register (or refresh) the demo service for the address the demo serves (DEMO_BASE_URL,
    unless `origins` says otherwise) and make sure signing keys exist. Idempotent."""
    origins = origins or demo_origins()
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
