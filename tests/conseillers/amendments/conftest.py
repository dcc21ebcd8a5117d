import datetime

import pytest

from conseillers.models import CandidatureState
from tests.conseillers.factories import DecisionFactory, EnvelopeFactory
from tests.factories import PrefectureAgentFactory

ACCEPT = {"number": "AVENANT-2026-001", "decided_on": datetime.date(2026, 6, 1)}


@pytest.fixture
def granted(structure):
    """The structure's application, validated with three posts, in an envelope of ten."""
    EnvelopeFactory(departement_id="37", posts=10)
    return DecisionFactory(
        candidature__structure=structure,
        candidature__state=CandidatureState.VALIDATED,
        candidature__posts_wished=3,
        posts_granted=3,
    ).candidature


@pytest.fixture
def prefecture_33(db):
    return PrefectureAgentFactory(departement_id="33").user


@pytest.fixture
def api(request, client):
    """`api("gestionnaire")`: the test client logged in as that persona ("anonymous": not)."""

    def login(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login
