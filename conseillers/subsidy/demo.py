"""Demo data of the subsidy, written through the services: the Ville de Tours's convention, the
schedule of Camille's post and its first tranche paid; and Inès's post, left after four months a
year ago, whose vacancy window is over: the demo's beat reconciles it within a minute of `make run`
and its recovery appears (nothing here creates it); and the renewal request of the Association
Solidarité numérique 93 (`renewal_demo`).

Idempotent: each step is skipped when what it creates already exists. Called by load_demo after
`conseillers.demo.load` (which validates Camille's recruitment, opening her post's schedule).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from conseillers import services as programme
from conseillers.models import Candidat, Match, MatchState, RuptureMotive
from conseillers.subsidy import renewal_demo
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Regime, RegimeTranche, Subvention, Tranche, TrancheState
from conseillers.subsidy.regimes import ensure_regimes
from core.models import Structure, User

TOURS = "21370261600011"
CAMILLE = "conseiller@demo.inclusion.gouv.fr"
INES = "ines.bernard@demo-candidat.fr"
FIRST_PAYMENT = ("BDT-2026-000001", datetime.date(2026, 2, 20))


def load(users: dict[str, User]) -> None:
    ensure_regimes(Regime, RegimeTranche)
    anct = users["anct@demo.inclusion.gouv.fr"]
    tours = Structure.objects.get(siret=TOURS)
    camille = Candidat.objects.get(email=CAMILLE)
    match = Match.objects.filter(
        structure=tours, candidat=camille, state=MatchState.FINALISED
    ).first()
    if match is None:
        return
    subvention = Subvention.objects.filter(holder=match).first()
    if subvention is None:
        # Regimes missing when Camille's recruitment was validated (a flushed database).
        subvention = subsidy.subvention_open(match=match, by=anct)
    if subvention is None:
        return
    subsidy.tranches_mark_due(today=timezone.localdate(), subvention_ids=[subvention.pk])
    _pay_first_tranche(subvention.tranches.get(rank=1), anct)
    _rupture_past_its_window(tours, users["gestionnaire@demo.inclusion.gouv.fr"], anct)
    renewal_demo.load(anct)


def _rupture_past_its_window(tours: Structure, manager: User, anct: User) -> None:
    """Dated from today, so that the window is over whenever the demo is loaded."""
    ines = Candidat.objects.get(email=INES)
    if Match.objects.filter(structure=tours, candidat=ines).exists():
        return
    start = add_months(timezone.localdate(), -12)
    match = programme.match_mark_interest(
        structure=tours, candidat=ines, interested=True, by=manager
    )
    programme.match_recruit(
        match=match,
        contract_type="cdd",
        start_date=start,
        end_date=add_months(start, 24),
        gross_monthly_salary=Decimal("1950.00"),
        weekly_hours=Decimal("35"),
        by=manager,
    )
    programme.match_finalise(match=match, by=anct)
    first = Tranche.objects.get(subvention__holder=match, rank=1)
    first = subsidy.tranche_approve(tranche=first, comment="Recrutement validé.", by=anct)
    subsidy.payment_record(tranche=first, reference="BDT-2025-000417", paid_on=start, by=anct)
    programme.rupture_declare(
        match=match, rupture_date=add_months(start, 4), motive=RuptureMotive.DEMISSION, by=manager
    )
    programme.rupture_validate(match=match, by=anct)


def _pay_first_tranche(tranche: Tranche, anct: User) -> None:
    if tranche.state == TrancheState.DUE:
        tranche = subsidy.tranche_approve(
            tranche=tranche, comment="Recrutement validé : première tranche.", by=anct
        )
    if tranche.state == TrancheState.APPROVED:
        reference, paid_on = FIRST_PAYMENT
        subsidy.payment_record(tranche=tranche, reference=reference, paid_on=paid_on, by=anct)
