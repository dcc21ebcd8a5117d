"""Demo data of the contract extensions: the Ville de Tours asks to extend Camille's CDD by a
year, waiting for ANCT (validate or refuse it as `anct@demo.inclusion.gouv.fr`).

Written through the service, as the manager would. Idempotent: nothing is added once the
contract has a request, nor once its end date has passed.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from conseillers.extensions import services
from conseillers.extensions.models import ContractExtension
from conseillers.models import Match, MatchState
from core.models import User

CAMILLE = "conseiller@demo.inclusion.gouv.fr"
MANAGER = "gestionnaire@demo.inclusion.gouv.fr"
TOURS = "21370261600011"


def load(users: dict[str, User]) -> None:
    match = (
        Match.objects.filter(
            structure__siret=TOURS, candidat__email=CAMILLE, state=MatchState.FINALISED
        )
        .select_related("contract")
        .first()
    )
    contract = getattr(match, "contract", None)
    if match is None or contract is None or contract.end_date is None:
        return
    today = timezone.localdate()
    if contract.end_date < today or ContractExtension.objects.filter(contract=contract).exists():
        return
    services.extension_request(
        match=match,
        requested_end_date=_a_year_later(contract.end_date),
        by=users[MANAGER],
        today=today,
    )


def _a_year_later(day: datetime.date) -> datetime.date:
    # 29 February has no anniversary the next year: the 28th.
    return day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else day.day))
