import pytest

from conseillers.models import CandidatureState, MatchState
from tests.conseillers.factories import (
    CandidatFactory,
    DecisionFactory,
    EnvelopeFactory,
    MatchFactory,
)
from tests.factories import PrefectureAgentFactory


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


@pytest.fixture
def prefecture_33(db):
    """The préfecture of another département (Gironde): no reach over the structure's files."""
    return PrefectureAgentFactory(departement_id="33").user


@pytest.fixture
def envelope_37(db):
    """Indre-et-Loire's envelope in force: 35 posts, ample room for the structure's grants."""
    return EnvelopeFactory(departement_id="37", posts=35)
