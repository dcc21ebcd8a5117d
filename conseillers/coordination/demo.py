"""Demo data of the coordination, written through the services as people would: the Département
d'Indre-et-Loire holds a coordinator post (COSELEC-2026-003: 3 posts, 1 of them coordinator);
Sacha, its coordinator, leads Élise and Karim, conseillers of the Département, and Julie, of the
Communauté de communes Loches Sud Touraine (COSELEC-2026-004).

Idempotent: each step is skipped when what it creates already exists. Called by load_demo after
the programme's demo (the SMIC table, the 37's envelope).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from conseillers import services
from conseillers.models import (
    Candidat,
    Candidature,
    Match,
    MatchState,
    PostKind,
    Situation,
)
from core.models import Departement, Membership, Structure, StructureType, User

from . import services as coordination
from .models import Coordination

COORDINATOR = "coordinateur@demo.inclusion.gouv.fr"
DEPARTEMENT_37 = {
    "siret": "22370001500017",
    "name": "Département d'Indre-et-Loire",
    "type": StructureType.DEPARTEMENT,
    "departement_id": "37",
    "address": "Place de la Préfecture, 37000 Tours",
    "commune_id": "37261",
    "contact_email": "inclusion-numerique@demo-touraine.fr",
}
LOCHES = {
    "siret": "24370007500019",
    "name": "Communauté de communes Loches Sud Touraine",
    "type": StructureType.EPCI,
    "departement_id": "37",
    "address": "12 avenue de la Liberté, 37600 Loches",
    "commune_id": "37132",
    "contact_email": "numerique@demo-lochessudtouraine.fr",
    "zrr": True,
}
# (first name, last name, email, commune, structure's SIRET, kind of post)
PEOPLE = [
    ("Sacha", "Coordination", COORDINATOR, "37261", DEPARTEMENT_37, PostKind.COORDINATOR),
    ("Élise", "Robert", "elise.robert@demo-candidat.fr", "37003", DEPARTEMENT_37, None),
    ("Karim", "Haddad", "karim.haddad@demo-candidat.fr", "37122", DEPARTEMENT_37, None),
    ("Julie", "Fontaine", "julie.fontaine@demo-candidat.fr", "37132", LOCHES, None),
]


def load(users: dict[str, User]) -> None:
    anct = users["anct@demo.inclusion.gouv.fr"]
    departement = _granted(DEPARTEMENT_37, anct, posts=3, coordinators=1, number="COSELEC-2026-003")
    loches = _granted(LOCHES, anct, posts=1, coordinators=0, number="COSELEC-2026-004")
    managers = {s.pk: _manager(s) for s in (departement, loches)}
    matches = []
    for first, last, email, commune, fields, kind in PEOPLE:
        structure = departement if fields is DEPARTEMENT_37 else loches
        candidat = _candidat(first, last, email, commune, users.get(email))
        matches.append(_recruited(structure, candidat, kind, managers[structure.pk], anct))
    lead, *group = matches
    for member in group:
        if not Coordination.objects.current().filter(conseiller=member).exists():
            coordination.coordination_attach(coordinator=lead, conseiller=member, by=anct)


def _granted(fields: dict, anct: User, *, posts: int, coordinators: int, number: str):
    structure, _ = Structure.objects.update_or_create(siret=fields["siret"], defaults=fields)
    manager = _manager(structure)
    candidature = Candidature.objects.filter(structure=structure).first()
    if candidature is None:
        candidature = services.candidature_submit(
            structure=structure,
            by=manager,
            contact_name=manager.get_full_name(),
            contact_email=structure.contact_email,
            posts_wished=posts,
            motivation="Nous voulons des conseillers au plus près des habitants, animés par un "
            "coordinateur qui relie les structures du territoire.",
            start_date=datetime.date(2026, 3, 2),
            zrr=structure.zrr,
            qpv=structure.qpv,
            france_services=structure.france_services,
        )
    if candidature.is_undecided:
        services.decision_record(
            candidature=candidature,
            posts_granted=posts,
            coordinator_posts_granted=coordinators,
            number=number,
            decided_on=datetime.date(2026, 2, 12),
            by=anct,
        )
    return structure


def _manager(structure: Structure) -> User:
    user, _ = User.objects.get_or_create(
        email=f"gestion-{structure.siret}@demo.inclusion.gouv.fr",
        defaults={"first_name": "Gestion", "last_name": structure.name[:100]},
    )
    Membership.objects.get_or_create(user=user, structure=structure, role="gestionnaire")
    return User.objects.get(pk=user.pk)  # fresh scope


def _candidat(first: str, last: str, email: str, commune: str, user: User | None) -> Candidat:
    candidat, created = Candidat.objects.get_or_create(
        email=email,
        defaults={
            "user": user,
            "first_name": first,
            "last_name": last,
            "situation": Situation.DEMANDEUR_EMPLOI,
            "available_from": datetime.date(2026, 2, 2),
            "pix_level": 3 if user else 2,
            "commune_id": commune,
            "max_distance_km": 40,
        },
    )
    if created:
        candidat.departements.set(Departement.objects.filter(code="37"))
    return candidat


def _recruited(structure, candidat, kind, manager: User, anct: User) -> Match:
    match = Match.objects.filter(structure=structure, candidat=candidat).first()
    if match is None:
        match = services.match_mark_interest(
            structure=structure, candidat=candidat, interested=True, by=manager
        )
    if match.state == MatchState.INTERESTED:
        services.match_recruit(
            match=match,
            post_kind=kind or PostKind.CONSEILLER,
            contract_type="cdi",
            start_date=datetime.date(2026, 3, 2),
            end_date=None,
            gross_monthly_salary=Decimal("2150.00") if kind else Decimal("1900.00"),
            weekly_hours=Decimal("35"),
            by=manager,
        )
        services.match_finalise(match=match, by=anct)
    return match
