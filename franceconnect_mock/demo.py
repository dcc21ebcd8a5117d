"""The demo's client of the mock provider: Aidants Connect as the product runs it locally."""

from __future__ import annotations

from typing import Any

from core.links import demo_origins
from franceconnect_mock.identities import IDENTITIES, IDENTITY_SCOPES
from franceconnect_mock.keys import signing_key_current
from franceconnect_mock.models import ServiceProvider
from franceconnect_mock.services import pairwise_sub, service_provider_register

DEMO_CLIENT_ID = "aidants-connect-demo"
DEMO_CLIENT_SECRET = "demo-franceconnect-secret-0123456789abcdef"  # noqa: S105 - demo only
CALLBACK_PATH = "/aidants-connect/franceconnect/callback/"
LOGOUT_CALLBACK_PATH = "/aidants-connect/franceconnect/logout-callback/"


def load() -> ServiceProvider:
    """Register (or refresh) the demo client for the address the demo serves (DEMO_BASE_URL),
    and make sure a signing key exists. Idempotent."""
    origins = demo_origins()
    provider = service_provider_register(
        client_id=DEMO_CLIENT_ID,
        name="Aidants Connect (démonstration)",
        secret=DEMO_CLIENT_SECRET,
        redirect_uris=[origin + CALLBACK_PATH for origin in origins],
        post_logout_redirect_uris=[origin + LOGOUT_CALLBACK_PATH for origin in origins],
    )
    signing_key_current()
    return provider


def identities() -> dict[str, tuple[dict[str, Any], str]]:
    """What the demo client receives for each identity, by login: its claims and its `sub`.

    The product's demo reads it through settings.FRANCECONNECT_DEMO_IDENTITIES, so that its demo
    usagers are the people the mock identifies, and nothing of the product imports the mock.
    Registers the demo client first (idempotent).
    """
    provider = load()
    return {
        identity.login: (
            identity.claims(set(IDENTITY_SCOPES)),
            pairwise_sub(identity=identity, provider=provider),
        )
        for identity in IDENTITIES
    }
