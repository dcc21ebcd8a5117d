import pytest
from django.utils import timezone

from conseillers.subsidy.models import Tranche, TrancheState
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import PrefectureAgentFactory


@pytest.fixture
def career(structure, gestionnaire, anct) -> Career:
    return Career(structure=structure, manager=gestionnaire, anct=anct)


@pytest.fixture
def second(career) -> Tranche:
    """Tranche 2 of a conseiller recruited 13 months ago: it awaits an activity report and the
    payslips."""
    tranche = career.tranches(career.recruit(months_ago(13, timezone.localdate())))[1]
    assert tranche.state == TrancheState.DUE
    return tranche


@pytest.fixture
def prefecture_33(db):
    """The préfecture of another département: no reach over the structure's files."""
    return PrefectureAgentFactory(departement_id="33").user
