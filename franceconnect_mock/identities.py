"""Demo identities of the mock provider, modelled on FranceConnect's integration environment.

They are data, not a model: nobody edits them, and each one exists to exercise a case a relying
party must handle (accents, compound given names, no family name, birth abroad).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

FRANCE = "99100"

# One scope per claim, as FranceConnect v2 does: a relying party asks only for what it needs.
IDENTITY_SCOPES = (
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
    "preferred_username",
)
SCOPES = ("openid", *IDENTITY_SCOPES)


@dataclass(frozen=True)
class Identity:
    login: str
    given_name: str
    family_name: str
    birthdate: date
    gender: str  # "male" or "female", FranceConnect's values
    birthplace: str  # INSEE code of the commune, "" when born abroad
    birthcountry: str  # 5-digit INSEE code of the country, 99100 for France
    email: str
    preferred_username: str = ""  # nom d'usage, often empty
    description: str = ""  # what the case is for, shown on the login page

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def claims(self, scopes: set[str]) -> dict[str, Any]:
        """The identity claims FranceConnect returns for the granted scopes, in its formats."""
        values: dict[str, Any] = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birthdate": self.birthdate.isoformat(),
            "gender": self.gender,
            "birthplace": self.birthplace,
            "birthcountry": self.birthcountry,
            "email": self.email,
            "preferred_username": self.preferred_username,
        }
        return {name: value for name, value in values.items() if name in scopes}


IDENTITIES: tuple[Identity, ...] = (
    Identity(
        login="testfc1",
        given_name="Stéphane Louis Perceval",
        family_name="DUPONT",
        birthdate=date(1962, 8, 24),
        gender="male",
        birthplace="75112",
        birthcountry=FRANCE,
        email="stephane.dupont@exemple.fr",
        description="Né à Paris 12e, plusieurs prénoms.",
    ),
    Identity(
        login="3_melaine",
        given_name="Mélaine Évelyne",
        family_name="TROIS",
        birthdate=date(1981, 7, 27),
        gender="female",
        birthplace="37261",
        birthcountry=FRANCE,
        email="melaine.trois@exemple.fr",
        preferred_username="MARTIN",
        description="Née à Tours, prénoms accentués, nom d'usage.",
    ),
    Identity(
        login="sans_nom",
        given_name="Aminata",
        family_name="",
        birthdate=date(1994, 3, 14),
        gender="female",
        birthplace="97411",
        birthcountry=FRANCE,
        email="aminata@exemple.fr",
        description="Sans nom de famille, née à Saint-Denis (La Réunion).",
    ),
    Identity(
        login="ne_a_l_etranger",
        given_name="Lucía Carmen",
        family_name="GARCIA LOPEZ",
        birthdate=date(1975, 11, 2),
        gender="female",
        birthplace="",
        birthcountry="99134",
        email="lucia.garcia@exemple.fr",
        description="Née en Espagne : lieu de naissance vide, pays 99134.",
    ),
)

_BY_LOGIN = {identity.login: identity for identity in IDENTITIES}


def get_identity(login: str) -> Identity | None:
    return _BY_LOGIN.get(login)
