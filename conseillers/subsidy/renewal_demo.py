"""Demo of the renewal, written through the services: the Association Solidarité numérique 93
recruited Léa Durand twenty months ago (dated from today, so that its convention's renewal window
is always open when the demo is loaded), and asked to renew her post under the 2023 regime: ANCT
finds the request on *Subventions › Reconventionnement* and validates or refuses it.

Idempotent: nothing is written once Léa has a match at the association.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from conseillers import services as programme
from conseillers.models import Candidat, Match
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Subvention
from core.models import Membership, Role, Structure, User

SOLIDARITE_NUMERIQUE_93 = "78493001800014"
LEA = "lea.durand@demo-candidat.fr"


def load(anct: User) -> None:
    structure = Structure.objects.get(siret=SOLIDARITE_NUMERIQUE_93)
    lea = Candidat.objects.get(email=LEA)
    manager = _manager(structure)
    if manager is None or Match.objects.filter(structure=structure, candidat=lea).exists():
        return
    start = add_months(timezone.localdate(), -20)
    match = programme.match_mark_interest(
        structure=structure, candidat=lea, interested=True, by=manager
    )
    programme.match_recruit(
        match=match,
        contract_type="cdd",
        start_date=start,
        end_date=add_months(start, 24),
        gross_monthly_salary=Decimal("1900.00"),
        weekly_hours=Decimal("35"),
        by=manager,
    )
    programme.match_finalise(match=match, by=anct)
    subvention = Subvention.objects.filter(holder=match).first()
    if subvention is None:
        return
    renewals.renewal_initiate(
        convention=subvention.convention, post_ids=[subvention.post_id], by=manager
    )


def _manager(structure: Structure) -> User | None:
    membership = (
        Membership.objects.filter(structure=structure, role=Role.GESTIONNAIRE)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return User.objects.get(pk=membership.user_id) if membership else None
