"""Writes of the mock provider: registering clients, issuing and claiming codes and tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from franceconnect_mock.identities import Identity
from franceconnect_mock.models import (
    ACR_EIDAS1,
    AccessToken,
    AuthorizationCode,
    PairwiseSecret,
    ServiceProvider,
    digest,
)

# FranceConnect's own lifetimes are of this order: a code is exchanged at once by the
# relying party's back end, and the access token only serves the one /userinfo call.
CODE_LIFETIME = timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = timedelta(seconds=60)
ID_TOKEN_LIFETIME = timedelta(seconds=60)
# Expired codes are kept a while so that a replay is recognised as one, then purged.
PURGE_AFTER = timedelta(hours=1)


@transaction.atomic
def service_provider_register(
    *,
    client_id: str,
    name: str,
    secret: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str],
) -> ServiceProvider:
    """Create the client, or update it in place: calling it again is harmless."""
    provider = ServiceProvider.objects.select_for_update().filter(client_id=client_id).first()
    provider = provider or ServiceProvider(client_id=client_id)
    provider.name = name
    provider.set_secret(secret)
    provider.redirect_uris = list(redirect_uris)
    provider.post_logout_redirect_uris = list(post_logout_redirect_uris)
    provider.save()
    return provider


def pairwise_sub(*, identity: Identity, provider: ServiceProvider) -> str:
    """The identity's `sub` as this client sees it: stable for the client, unlinkable across
    clients, as FranceConnect's pairwise identifiers are (they too end with "v1")."""
    secret, _ = PairwiseSecret.objects.get_or_create(
        pk=1, defaults={"value": secrets.token_urlsafe(48)}
    )
    message = f"{provider.client_id}\x00{identity.login}".encode()
    return hmac.new(secret.value.encode(), message, hashlib.sha256).hexdigest() + "v1"


def authorization_code_issue(
    *,
    code: str,
    provider: ServiceProvider,
    identity: Identity,
    redirect_uri: str,
    scope: str,
    nonce: str,
) -> AuthorizationCode:
    now = timezone.now()
    _purge_expired()
    return AuthorizationCode.objects.create(
        code_hash=digest(code),
        service_provider=provider,
        identity_login=identity.login,
        redirect_uri=redirect_uri,
        scope=scope,
        nonce=nonce,
        acr=ACR_EIDAS1,
        auth_time=now,
        expires_at=now + CODE_LIFETIME,
    )


def authorization_code_claim(*, code: str, provider: ServiceProvider) -> AuthorizationCode | None:
    """Use the code up, or return None when it is unknown, expired or already used.

    The compare-and-set update must touch exactly one row: two concurrent exchanges of the
    same code cannot both succeed. A replay also revokes what the first exchange obtained.
    """
    now = timezone.now()
    codes = AuthorizationCode.objects.filter(code_hash=digest(code), service_provider=provider)
    claimed = codes.filter(used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        AccessToken.objects.filter(
            authorization_code__in=codes.filter(used_at__isnull=False), revoked_at__isnull=True
        ).update(revoked_at=now)
        return None
    return codes.select_related("service_provider").get()


def access_token_save(
    *,
    access_token: str,
    provider: ServiceProvider,
    identity: Identity,
    scope: str,
    authorization_code: AuthorizationCode | None,
) -> AccessToken:
    now = timezone.now()
    return AccessToken.objects.create(
        token_hash=digest(access_token),
        service_provider=provider,
        authorization_code=authorization_code,
        identity_login=identity.login,
        scope=scope,
        issued_at=now,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
    )


def access_token_find(access_token: str) -> AccessToken | None:
    tokens = AccessToken.objects.select_related("service_provider")
    return tokens.filter(token_hash=digest(access_token)).first()


def _purge_expired() -> None:
    # The mock has no worker: it tidies up after itself at each login.
    horizon = timezone.now() - PURGE_AFTER
    AccessToken.objects.filter(expires_at__lt=horizon).delete()
    AuthorizationCode.objects.filter(expires_at__lt=horizon).delete()
