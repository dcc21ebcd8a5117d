"""Writes of the mock provider: registering clients, and the `sub` each one receives."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from core.oidc.services import client_register
from franceconnect_mock.identities import Identity
from franceconnect_mock.models import PairwiseSecret, ServiceProvider


def service_provider_register(
    *,
    client_id: str,
    name: str,
    secret: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str],
) -> ServiceProvider:
    """Create the client, or update it in place: calling it again is harmless."""
    return client_register(
        ServiceProvider,
        client_id=client_id,
        name=name,
        secret=secret,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
    )


def pairwise_sub(*, identity: Identity, provider: ServiceProvider) -> str:
    """The identity's `sub` as this client sees it: stable for the client, unlinkable across
    clients, as FranceConnect's pairwise identifiers are (they too end with "v1")."""
    secret, _ = PairwiseSecret.objects.get_or_create(
        pk=1, defaults={"value": secrets.token_urlsafe(48)}
    )
    message = f"{provider.client_id}\x00{identity.login}".encode()
    return hmac.new(secret.value.encode(), message, hashlib.sha256).hexdigest() + "v1"
