import pytest

from conseillers.models import CandidatureState, MatchState
from tests.conseillers.factories import CandidatFactory, DecisionFactory, MatchFactory


@pytest.fixture
def validated(structure):
    """The structure's application, validated by ANCT with a quota of one post."""
    return DecisionFactory(
        candidature__structure=structure,
        candidature__state=CandidatureState.VALIDATED,
        posts_granted=1,
    ).candidature


@pytest.fixture
def interested_match(structure, validated):
    return MatchFactory(
        structure=structure, candidat=CandidatFactory(), state=MatchState.INTERESTED
    )
