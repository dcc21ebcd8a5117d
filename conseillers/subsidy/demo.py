"""Demo data of the subsidy, written through the services: the Ville de Tours's convention, the
schedule of Camille's post and its first tranche paid.

Idempotent: each step is skipped when what it creates already exists. Called by load_demo after
`conseillers.demo.load` (which validates Camille's recruitment, opening her post's schedule).
"""

import datetime

from django.utils import timezone

from conseillers.models import Candidat, Match, MatchState
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import Regime, RegimeTranche, Subvention, Tranche, TrancheState
from conseillers.subsidy.regimes import ensure_regimes
from core.models import Structure, User

TOURS = "21370261600011"
CAMILLE = "conseiller@demo.inclusion.gouv.fr"
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


def _pay_first_tranche(tranche: Tranche, anct: User) -> None:
    if tranche.state == TrancheState.DUE:
        tranche = subsidy.tranche_approve(
            tranche=tranche, comment="Recrutement validé : première tranche.", by=anct
        )
    if tranche.state == TrancheState.APPROVED:
        reference, paid_on = FIRST_PAYMENT
        subsidy.payment_record(tranche=tranche, reference=reference, paid_on=paid_on, by=anct)
