"""Demo data of the conseillers module, written through the services as people would.

Idempotent: each step is skipped when what it creates already exists.
"""

import datetime
from decimal import Decimal

from conseillers import matching, services
from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureState,
    CertificationStatus,
    Envelope,
    Match,
    MatchState,
    ProposalRun,
    Situation,
    SmicRate,
    Training,
)
from conseillers.smic import ensure_known_rates
from core.models import Departement, Membership, Structure, User

ENVELOPES = {"37": 35, "33": 40, "93": 50, "23": 8}

CANDIDATS = [
    ("Camille", "Numérique", "conseiller@demo.inclusion.gouv.fr", ["37", "41"], 2),
    ("Lucas", "Martin", "lucas.martin@demo-candidat.fr", ["37"], 3),
    ("Inès", "Bernard", "ines.bernard@demo-candidat.fr", ["37", "36"], 2),
    ("Hugo", "Petit", "hugo.petit@demo-candidat.fr", ["33"], 1),
    ("Léa", "Durand", "lea.durand@demo-candidat.fr", ["93", "75"], 3),
    ("Nathan", "Moreau", "nathan.moreau@demo-candidat.fr", ["23", "87"], 2),
    ("Manon", "Leroy", "manon.leroy@demo-candidat.fr", ["41"], 2),
]


def load(users: dict[str, User]) -> None:
    ensure_known_rates(SmicRate)
    anct = users["anct@demo.inclusion.gouv.fr"]
    prefet = users["prefecture37@demo.inclusion.gouv.fr"]
    manager = users["gestionnaire@demo.inclusion.gouv.fr"]
    _envelopes(anct)
    _candidats(users)
    tours = _apply("21370261600011", manager, posts=3)
    _opinion(tours, prefet, "Structure active, bien implantée dans les quartiers prioritaires.")
    _decide(tours, anct, posts=3, number="COSELEC-2026-001")
    _apply("24930001300011", _member("24930001300011"), posts=1)
    bordeaux = _apply("21330630100010", _member("21330630100010"), posts=4)
    if bordeaux.state == CandidatureState.CREATED:
        services.candidature_examine(candidature=bordeaux, by=anct)
    _apply("21230096600018", _member("21230096600018"), posts=2)  # awaits its opinion
    solnum = _apply("78493001800014", _member("78493001800014"), posts=2)
    _decide(solnum, anct, posts=2, number="COSELEC-2026-002")
    _recruit_camille(manager, anct)
    # What the nightly refresh would have proposed; once, as each run is recorded.
    if not ProposalRun.objects.exists():
        matching.proposals_refresh()


def _envelopes(anct: User) -> None:
    for code, posts in ENVELOPES.items():
        if not Envelope.objects.filter(departement_id=code).exists():
            services.envelope_set(
                departement=Departement.objects.get(pk=code),
                posts=posts,
                reason="Accord préalable initial",
                by=anct,
            )


# Where each candidate lives and how far they would travel (None: the départements chosen).
# Manon, in Blois, did not choose the 37 but is offered to Tours, 55 km away, by distance.
RESIDENCE: dict[str, tuple[str, int | None]] = {
    "conseiller@demo.inclusion.gouv.fr": ("37122", 30),
    "lucas.martin@demo-candidat.fr": ("37214", 20),
    "ines.bernard@demo-candidat.fr": ("36044", None),
    "hugo.petit@demo-candidat.fr": ("33063", 15),
    "lea.durand@demo-candidat.fr": ("75056", 10),
    "nathan.moreau@demo-candidat.fr": ("87085", 100),
    "manon.leroy@demo-candidat.fr": ("41018", 80),
}


def _candidats(users: dict[str, User]) -> None:
    for first, last, email, codes, pix in CANDIDATS:
        candidat, _ = Candidat.objects.update_or_create(
            email=email,
            defaults={
                "user": users.get(email),
                "first_name": first,
                "last_name": last,
                "situation": Situation.DEMANDEUR_EMPLOI,
                "available_from": datetime.date(2026, 1, 5),
                "pix_level": pix,
                "phone": "0601020304",
                "commune_id": RESIDENCE[email][0],
                "max_distance_km": RESIDENCE[email][1],
            },
        )
        candidat.departements.set(Departement.objects.filter(code__in=codes))


def _member(siret: str) -> User:
    """A demo manager for structures without a demo account of their own."""
    structure = Structure.objects.get(siret=siret)
    user, _ = User.objects.get_or_create(
        email=f"gestion-{siret}@demo.inclusion.gouv.fr",
        defaults={"first_name": "Gestion", "last_name": structure.name[:100]},
    )
    Membership.objects.get_or_create(user=user, structure=structure, role="gestionnaire")
    return User.objects.get(pk=user.pk)  # fresh scope


def _apply(siret: str, manager: User, *, posts: int) -> Candidature:
    structure = Structure.objects.get(siret=siret)
    existing = Candidature.objects.filter(structure=structure).first()
    if existing:
        return existing
    return services.candidature_submit(
        structure=structure,
        by=manager,
        contact_name=manager.get_full_name() or "Contact",
        contact_email=structure.contact_email or manager.email,
        posts_wished=posts,
        motivation="Nous accueillons chaque semaine des habitants éloignés du numérique et "
        "souhaitons les accompagner dans leurs démarches et leurs usages.",
        start_date=datetime.date(2026, 1, 5),
        zrr=structure.zrr,
        qpv=structure.qpv,
        france_services=structure.france_services,
    )


def _opinion(candidature: Candidature, prefet: User, comment: str) -> None:
    if candidature.is_undecided and not candidature.opinions.exists():
        services.opinion_give(
            candidature=candidature, verdict="favorable", comment=comment, by=prefet
        )


def _decide(candidature: Candidature, anct: User, *, posts: int, number: str) -> None:
    if candidature.is_undecided:
        services.decision_record(
            candidature=candidature,
            posts_granted=posts,
            number=number,
            decided_on=datetime.date(2026, 1, 15),
            by=anct,
        )


def _recruit_camille(manager: User, anct: User) -> None:
    tours = Structure.objects.get(siret="21370261600011")
    camille = Candidat.objects.get(email="conseiller@demo.inclusion.gouv.fr")
    match = Match.objects.filter(structure=tours, candidat=camille).first()
    if match is None:
        match = services.match_mark_interest(
            structure=tours, candidat=camille, interested=True, by=manager
        )
    if match.state == MatchState.INTERESTED:
        services.match_recruit(
            match=match,
            contract_type="cdd",
            start_date=datetime.date(2026, 2, 2),
            end_date=datetime.date(2028, 2, 1),
            gross_monthly_salary=Decimal("1950.00"),
            weekly_hours=Decimal("35"),
            by=manager,
        )
        services.match_finalise(match=match, by=anct)
    Training.objects.get_or_create(
        candidat=camille,
        defaults={
            "initial_hours": 210,
            "started_on": datetime.date(2026, 2, 9),
            "ended_on": datetime.date(2026, 4, 3),
            "ccp1_status": CertificationStatus.IN_PROGRESS,
            "cost": Decimal("3150.00"),
        },
    )
    lucas = Candidat.objects.get(email="lucas.martin@demo-candidat.fr")
    if not Match.objects.filter(structure=tours, candidat=lucas).exists():
        services.match_mark_interest(structure=tours, candidat=lucas, interested=True, by=manager)
