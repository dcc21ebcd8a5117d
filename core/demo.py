"""Demo data of the shared referential: one account per role and structures in four départements.

Everything is keyed by a natural key (email, SIRET) and written with update_or_create, so loading
the demo twice changes nothing.
"""

from dataclasses import dataclass
from typing import Any

from core.communes import load_communes
from core.models import (
    Departement,
    Membership,
    PrefectureAgent,
    Region,
    Role,
    Structure,
    StructureType,
    User,
)
from core.territories import load_territories

DEMO_PASSWORD = "demo-inclusion-2026"  # noqa: S105 - printed to the newcomer, demo only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    how: str


ACCOUNTS = [
    DemoAccount(
        "anct@demo.inclusion.gouv.fr",
        "Anne",
        "Cotté",
        Role.ANCT,
        "décide des candidatures, des enveloppes et des subventions ; accède à l'administration",
    ),
    DemoAccount(
        "prefecture37@demo.inclusion.gouv.fr",
        "Paul",
        "Préfet",
        Role.PREFECTURE,
        "préfecture d'Indre-et-Loire : avis sur les candidatures du 37",
    ),
    DemoAccount(
        "gestionnaire@demo.inclusion.gouv.fr",
        "Gaëlle",
        "Gestion",
        Role.GESTIONNAIRE,
        "gère la Ville de Tours : candidature, recrutements, justificatifs",
    ),
    DemoAccount(
        "conseiller@demo.inclusion.gouv.fr",
        "Camille",
        "Numérique",
        Role.CONSEILLER,
        "conseillère numérique : contrat, formation, certification",
    ),
    DemoAccount(
        "coordinateur@demo.inclusion.gouv.fr",
        "Sacha",
        "Coordination",
        Role.CONSEILLER,
        "conseiller numérique coordinateur du Département d'Indre-et-Loire : son groupe",
    ),
    DemoAccount(
        "aidant@demo.inclusion.gouv.fr",
        "Aïcha",
        "Aidante",
        Role.AIDANT,
        "aidante de l'association Solidarité numérique 93 : mandats",
    ),
    DemoAccount(
        "referent@demo.inclusion.gouv.fr",
        "Rémi",
        "Référent",
        Role.REFERENT,
        "référent de l'association Solidarité numérique 93 : équipe d'aidants",
    ),
]

STRUCTURES: list[dict[str, Any]] = [
    {
        "siret": "21370261600011",
        "name": "Ville de Tours",
        "type": StructureType.COMMUNE,
        "departement_id": "37",
        "address": "1-3 rue des Minimes, 37000 Tours",
        "commune_id": "37261",
        "contact_email": "numerique@demo-tours.fr",
        "france_services": True,
        "qpv": True,
    },
    {
        "siret": "21330630100010",
        "name": "Ville de Bordeaux",
        "type": StructureType.COMMUNE,
        "departement_id": "33",
        "address": "Place Pey-Berland, 33000 Bordeaux",
        "commune_id": "33063",
        "contact_email": "inclusion@demo-bordeaux.fr",
    },
    {
        "siret": "78493001800014",
        "name": "Association Solidarité numérique 93",
        "type": StructureType.PRIVEE,
        "departement_id": "93",
        "address": "12 rue de la République, 93200 Saint-Denis",
        "commune_id": "93066",
        "contact_email": "contact@demo-solnum93.org",
        "qpv": True,
    },
    {
        "siret": "21230096600018",
        "name": "Communauté de communes Creuse Confluence",
        "type": StructureType.EPCI,
        "departement_id": "23",
        "address": "23200 Aubusson",
        "commune_id": "23008",
        "contact_email": "accueil@demo-creuse-confluence.fr",
        "zrr": True,
        "france_services": True,
    },
    {
        "siret": "24930001300011",
        "name": "Médiathèque intercommunale de Chinon",
        "type": StructureType.EPCI,
        "departement_id": "37",
        "address": "37500 Chinon",
        "commune_id": "37072",
        "contact_email": "mediatheque@demo-chinon.fr",
        "zrr": True,
    },
]

MEMBERSHIPS = [
    ("gestionnaire@demo.inclusion.gouv.fr", "21370261600011", Role.GESTIONNAIRE),
    ("aidant@demo.inclusion.gouv.fr", "78493001800014", Role.AIDANT),
    ("referent@demo.inclusion.gouv.fr", "78493001800014", Role.REFERENT),
    ("referent@demo.inclusion.gouv.fr", "78493001800014", Role.AIDANT),
]


# The départements of the demo's structures and candidates: their communes are loaded by the
# demo itself (a second or so); `make run` loads the whole country first with `load_communes`.
DEMO_DEPARTEMENTS = ("23", "33", "36", "37", "41", "75", "87", "93")


def load() -> dict[str, User]:
    load_territories(Region, Departement)
    load_communes(departements=DEMO_DEPARTEMENTS)
    users = {account.email: _account(account) for account in ACCOUNTS}
    anct = users["anct@demo.inclusion.gouv.fr"]
    if not (anct.is_anct and anct.is_staff and anct.is_superuser):
        anct.is_anct = anct.is_staff = anct.is_superuser = True
        anct.save(update_fields=["is_anct", "is_staff", "is_superuser"])
    PrefectureAgent.objects.update_or_create(
        user=users["prefecture37@demo.inclusion.gouv.fr"],
        defaults={"departement_id": "37", "region": None},
    )
    for fields in STRUCTURES:
        Structure.objects.update_or_create(siret=fields["siret"], defaults=fields)
    for email, siret, role in MEMBERSHIPS:
        Membership.objects.get_or_create(
            user=users[email], structure=Structure.objects.get(siret=siret), role=role
        )
    return users


def _account(account: DemoAccount) -> User:
    user, created = User.objects.get_or_create(
        email=account.email,
        defaults={"first_name": account.first_name, "last_name": account.last_name},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
