import pytest

from tests.conseillers.factories import CandidatFactory, MatchFactory
from tests.factories import UserFactory


@pytest.fixture
def conseiller(db):
    """A conseiller's account (the candidat record of the person carries the link)."""
    return UserFactory(first_name="Camille", last_name="Conseil")


@pytest.fixture
def working_match(structure, conseiller):
    """The conseiller's validated recruitment at the structure (Indre-et-Loire)."""
    return MatchFactory(
        structure=structure, candidat=CandidatFactory(user=conseiller), finalised=True
    )
