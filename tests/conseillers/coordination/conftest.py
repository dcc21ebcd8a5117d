"""A small programme with coordinator posts: the structure (37) holds 3 posts, 1 of them a
coordinator post; a second structure of the 37 and one of the Loir-et-Cher (same région) hold
conseillers; one of the Gironde is in another région."""

import pytest

from conseillers.models import CandidatureState, MatchState, PostKind
from tests.conseillers.api.conftest import api  # noqa: F401 - the personas as API clients
from tests.conseillers.factories import DecisionFactory, MatchFactory
from tests.factories import MembershipFactory, StructureFactory


def grant(structure, posts: int, coordinators: int = 0):
    return DecisionFactory(
        candidature__structure=structure,
        candidature__state=CandidatureState.VALIDATED,
        posts_granted=posts,
        coordinator_posts_granted=coordinators,
    ).candidature


def in_post(structure, kind: PostKind = PostKind.CONSEILLER, **kwargs):
    """A validated recruitment holding a post of that kind."""
    return MatchFactory(
        structure=structure, state=MatchState.FINALISED, finalised=True, post__kind=kind, **kwargs
    )


@pytest.fixture
def coordinated_structure(structure):
    grant(structure, posts=3, coordinators=1)
    return structure


@pytest.fixture
def coordinator(coordinated_structure):
    return in_post(coordinated_structure, PostKind.COORDINATOR)


@pytest.fixture
def neighbour(db):
    """Another structure of the 37."""
    structure = StructureFactory(departement_id="37")
    grant(structure, posts=2)
    return structure


@pytest.fixture
def blois(db):
    """A structure of the Loir-et-Cher: same région (Centre-Val de Loire), another préfecture."""
    structure = StructureFactory(departement_id="41")
    grant(structure, posts=1)
    return structure


@pytest.fixture
def bordeaux(other_structure):
    grant(other_structure, posts=1)
    return other_structure


@pytest.fixture
def gestionnaire_of(db):
    def make(structure):
        return MembershipFactory(structure=structure, role="gestionnaire").user

    return make
