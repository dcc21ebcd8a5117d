import datetime

import pytest
from django.utils import timezone

from conseillers.models import Match, MatchState
from tests.conseillers.factories import CandidatFactory, match_in
from tests.factories import UserFactory


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def career(structure, state: MatchState, today: datetime.date, **contract) -> Match:
    """A match of the structure in `state`, its contract running from six months ago to six
    months from now unless told otherwise; the conseiller has an account."""
    fields = {
        "contract__start_date": today - datetime.timedelta(days=180),
        "contract__end_date": today + datetime.timedelta(days=180),
        **{f"contract__{name}": value for name, value in contract.items()},
    }
    if state not in (
        MatchState.RECRUITED,
        MatchState.FINALISED,
        MatchState.RUPTURE_DECLARED,
        MatchState.RUPTURE_VALIDATED,
        MatchState.ENDED,
    ):
        fields = {}
    return match_in(
        state, structure=structure, candidat=CandidatFactory(user=UserFactory()), **fields
    )


@pytest.fixture
def finalised(structure, today) -> Match:
    return career(structure, MatchState.FINALISED, today)


@pytest.fixture
def conseiller(finalised):
    return finalised.candidat.user
