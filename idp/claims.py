"""Which scope releases which claim of the usager's pivot identity.

FranceConnect's style (one scope per claim) and the standard OIDC scopes (`profile`, `email`)
are both accepted, so that any certified relying-party library works without configuration.
"""

from __future__ import annotations

from typing import Any

from mandats.models import Usager

PIVOT_CLAIMS = (
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
)
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": (),
    "profile": ("given_name", "family_name", "birthdate", "gender"),
    "birth": ("birthplace", "birthcountry"),
    **{claim: (claim,) for claim in PIVOT_CLAIMS},
}
SCOPES = tuple(SCOPE_CLAIMS)


def released_claims(scope: str) -> set[str]:
    return {claim for name in scope.split() for claim in SCOPE_CLAIMS.get(name, ())}


def pivot_identity(usager: Usager, scope: str) -> dict[str, Any]:
    identity = {
        "given_name": usager.given_names,
        "family_name": usager.family_name,
        "birthdate": usager.birthdate.isoformat(),
        "gender": usager.gender,
        "birthplace": usager.birthplace,
        "birthcountry": usager.birthcountry,
        "email": usager.email,
    }
    wanted = released_claims(scope)
    return {name: value for name, value in identity.items() if name in wanted}
