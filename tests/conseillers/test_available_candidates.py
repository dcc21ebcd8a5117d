import datetime

import pytest

from conseillers import selectors
from conseillers.models import MatchState
from tests.conseillers.factories import CandidatFactory, match_in

pytestmark = pytest.mark.django_db

M = MatchState
# A person holds a post from the contract entered until ANCT validates the rupture.
HOLDING_A_POST = [M.RECRUITED, M.FINALISED, M.RUPTURE_DECLARED]
NOT_HOLDING_A_POST = [
    M.NEW,
    M.INTERESTED,
    M.NOT_INTERESTED,
    M.RUPTURE_VALIDATED,
    M.ENDED,
    M.UNAVAILABLE,
]


def day(n: int) -> datetime.date:
    return datetime.date(2026, 1, n)


def test_without_maximum_distance_the_candidates_of_the_structure_departement_are_offered(
    structure,
):
    gironde_early = CandidatFactory(departements=["33"], available_from=day(1), last_name="Aubry")
    tours_late = CandidatFactory(departements=["37"], available_from=day(20), last_name="Zola")
    both = CandidatFactory(departements=["33", "37"], available_from=day(10), last_name="Martin")
    tours_early = CandidatFactory(departements=["37"], available_from=day(10), last_name="Bernard")
    loir_et_cher = CandidatFactory(departements=["41"], available_from=day(5), last_name="Petit")

    listed = list(selectors.candidats_for_structure(structure))

    # Only those who chose the 37 (gironde_early and loir_et_cher did not): the soonest
    # available first, then by name.
    assert listed == [tours_early, both, tours_late]
    assert [c.local for c in listed] == [True, True, True]
    assert gironde_early not in listed and loir_et_cher not in listed


@pytest.mark.parametrize("state", HOLDING_A_POST)
def test_a_candidate_holding_a_post_elsewhere_is_not_listed(structure, other_structure, state):
    recruited = CandidatFactory()
    match_in(state, structure=other_structure, candidat=recruited)
    free = CandidatFactory()

    assert list(selectors.candidats_for_structure(structure)) == [free]


@pytest.mark.parametrize("state", NOT_HOLDING_A_POST)
def test_a_candidate_matched_elsewhere_without_holding_a_post_is_listed(
    structure, other_structure, state
):
    candidat = CandidatFactory()
    match_in(state, structure=other_structure, candidat=candidat)

    assert list(selectors.candidats_for_structure(structure)) == [candidat]


def test_each_candidate_is_listed_once_whatever_their_departements_and_matches(
    structure, other_structure
):
    candidat = CandidatFactory(departements=["33", "37", "41"])
    match_in(M.INTERESTED, structure=structure, candidat=candidat)
    match_in(M.NOT_INTERESTED, structure=other_structure, candidat=candidat)

    assert list(selectors.candidats_for_structure(structure)) == [candidat]


def test_the_list_is_read_in_two_queries_whatever_its_length(structure, django_assert_num_queries):
    for n in range(5):
        CandidatFactory(departements=["33", "37"], available_from=day(n + 1))

    with django_assert_num_queries(2):
        listed = [
            (c.pk, [d.code for d in c.departements.all()])
            for c in selectors.candidats_for_structure(structure)
        ]

    assert len(listed) == 5
