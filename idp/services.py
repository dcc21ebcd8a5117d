"""Writes of the identity provider: registering services, and the use of an autorisation when a
service receives an usager's identity."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.crypto import salted_hmac

from core.models import Structure, User
from core.oidc.services import client_register
from idp.models import AuthorizationCode, RelyingParty
from mandats.models import Autorisation, Usager
from mandats.services import autorisation_use


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
    return client_register(
        RelyingParty,
        client_id=client_id,
        secret=secret,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        name=name,
        demarches=list(demarches),
        signing_algorithm=signing_algorithm,
        userinfo_format=userinfo_format,
    )


def pairwise_sub(*, usager: Usager, client: RelyingParty) -> str:
    """The usager's `sub` as this service sees it: stable for the service, unlinkable across
    services. Derived from the keyed hash of the FranceConnect sub, never from the row id."""
    value = f"{client.client_id}\x00{usager.sub_hash}"
    return salted_hmac("idp-pairwise-sub", value, algorithm="sha256").hexdigest()


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
