"""Writes of the identity provider: registering services, issuing and claiming codes and tokens,
and the use of an autorisation when a service receives an usager's identity."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.models import Structure, User
from idp.models import AccessToken, AuthorizationCode, RelyingParty, digest
from mandats.models import Autorisation, Usager
from mandats.services import autorisation_use

# A code is exchanged at once by the service's back end; the access token only serves the
# /userinfo call that follows. Three minutes, not one: relying-party libraries treat a token as
# expired a minute early (authlib's default leeway), which would make a 60 s token unusable.
CODE_LIFETIME = timedelta(seconds=60)
ACCESS_TOKEN_LIFETIME = timedelta(minutes=3)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
# Spent codes are kept a while so that a replay is recognised as one, then purged.
PURGE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Delegation:
    """Who acts for whom: the aidant, in its organisation, under one autorisation. authlib's
    "user" of a grant."""

    aidant: User
    organisation: Structure
    autorisation: Autorisation

    @property
    def usager(self) -> Usager:
        return self.autorisation.mandat.usager


def generate_secret() -> str:
    return secrets.token_urlsafe(36)  # 48 characters, above the 32 required


@transaction.atomic
def relying_party_register(
    *,
    client_id: str,
    name: str,
    secret: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str] = (),
    demarches: Iterable[str],
    signing_algorithm: str = "ES256",
    userinfo_format: str = "json",
) -> RelyingParty:
    """Create the client, or update it in place: calling it again is harmless."""
    client = RelyingParty.objects.select_for_update().filter(client_id=client_id).first()
    client = client or RelyingParty(client_id=client_id)
    client.name = name
    client.set_secret(secret)
    client.redirect_uris = list(redirect_uris)
    client.post_logout_redirect_uris = list(post_logout_redirect_uris)
    client.demarches = list(demarches)
    client.signing_algorithm = signing_algorithm
    client.userinfo_format = userinfo_format
    client.save()
    return client


def pairwise_sub(*, usager: Usager, client: RelyingParty) -> str:
    """The usager's `sub` as this service sees it: stable for the service, unlinkable across
    services. Derived from the keyed hash of the FranceConnect sub, never from the row id."""
    value = f"{client.client_id}\x00{usager.sub_hash}"
    return salted_hmac("idp-pairwise-sub", value, algorithm="sha256").hexdigest()


def authorization_code_issue(
    *,
    code: str,
    client: RelyingParty,
    delegation: Delegation,
    redirect_uri: str,
    scope: str,
    nonce: str,
    code_challenge: str,
    code_challenge_method: str,
    auth_time: float,
) -> AuthorizationCode:
    now = timezone.now()
    _purge_expired()
    return AuthorizationCode.objects.create(
        code_hash=digest(code),
        relying_party=client,
        aidant=delegation.aidant,
        organisation=delegation.organisation,
        autorisation=delegation.autorisation,
        redirect_uri=redirect_uri,
        scope=scope,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        auth_time=datetime.fromtimestamp(auth_time, tz=UTC),
        expires_at=now + CODE_LIFETIME,
    )


def authorization_code_claim(*, code: str, client: RelyingParty) -> AuthorizationCode | None:
    """Use the code up, or return None when it is unknown, expired or already used.

    The compare-and-set update must touch exactly one row: two concurrent exchanges of the same
    code cannot both succeed. A replay also revokes what the first exchange obtained.
    """
    now = timezone.now()
    codes = AuthorizationCode.objects.filter(code_hash=digest(code), relying_party=client)
    claimed = codes.filter(used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        AccessToken.objects.filter(
            authorization_code__in=codes.filter(used_at__isnull=False), revoked_at__isnull=True
        ).update(revoked_at=now)
        return None
    return codes.select_related(
        "relying_party", "aidant", "organisation", "autorisation__mandat__usager"
    ).get()


def delegation_use(*, code: AuthorizationCode) -> Delegation | None:
    """At token time, the autorisation is checked again (revoked or expired since the aidant
    chose it: no token) and its use is journaled. None when it may no longer be used."""
    try:
        autorisation_use(
            autorisation=code.autorisation, by=code.aidant, service=code.relying_party.client_id
        )
    except (PermissionDenied, ValidationError):
        return None
    return Delegation(
        aidant=code.aidant, organisation=code.organisation, autorisation=code.autorisation
    )


def access_token_save(
    *,
    access_token: str,
    client: RelyingParty,
    delegation: Delegation,
    scope: str,
    code: AuthorizationCode,
) -> AccessToken:
    now = timezone.now()
    return AccessToken.objects.create(
        token_hash=digest(access_token),
        relying_party=client,
        authorization_code=code,
        autorisation=delegation.autorisation,
        scope=scope,
        issued_at=now,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
    )


def access_token_find(access_token: str) -> AccessToken | None:
    tokens = AccessToken.objects.select_related("relying_party", "autorisation__mandat__usager")
    return tokens.filter(token_hash=digest(access_token)).first()


def _purge_expired() -> None:
    # Tidied at each authorization: no worker needed for rows that only serve a minute.
    horizon = timezone.now() - PURGE_AFTER
    AccessToken.objects.filter(expires_at__lt=horizon).delete()
    AuthorizationCode.objects.filter(expires_at__lt=horizon).delete()
