"""GET /api/conseillers/mises-en-relation/: who sees which match, and what it carries."""

import pytest

from conseillers import services
from conseillers.models import MatchState
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, NOT_FOUND, count_queries
from tests.conseillers.factories import CandidatFactory, match_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/mises-en-relation/"

VISIBLE = {
    # persona: (sees the match of the 37 structure, sees the one of the 33 structure)
    "anct": (True, True),
    "prefecture_37": (True, False),
    "prefecture_region_centre": (True, False),
    "gestionnaire": (True, False),
    "colleague": (False, False),
    "outsider": (False, True),
}


@pytest.fixture
def matches(structure, other_structure):
    return (
        match_in(MatchState.INTERESTED, structure=structure),
        match_in(MatchState.FINALISED, structure=other_structure),
    )


@pytest.mark.parametrize("persona", VISIBLE)
def test_the_list_shows_only_the_matches_in_scope(api, matches, persona):
    listed = {row["id"] for row in api(persona).get(URL).json()["results"]}
    for match, visible in zip(matches, VISIBLE[persona], strict=True):
        assert (match.pk in listed) is visible


@pytest.mark.parametrize("persona", VISIBLE)
def test_a_match_out_of_scope_is_not_found(api, matches, persona):
    client = api(persona)
    for match, visible in zip(matches, VISIBLE[persona], strict=True):
        response = client.get(f"{URL}{match.pk}/")
        assert response.status_code == (200 if visible else 404)
        if not visible:
            assert response.json() == NOT_FOUND


def test_anonymous_callers_get_401(api, matches):
    assert api("anonymous").get(URL).json() == NOT_AUTHENTICATED


def test_a_candidate_sees_their_own_matches_and_nothing_else(client, matches):
    person = UserFactory()
    mine = match_in(MatchState.NEW, candidat=CandidatFactory(user=person))
    client.force_login(person)
    assert [row["id"] for row in client.get(URL).json()["results"]] == [mine.pk]
    abilities = client.get(f"{URL}{mine.pk}/").json()["abilities"]
    assert {name for name, allowed in abilities.items() if allowed} == {"view"}


def test_a_match_carries_its_contract_rupture_log_and_abilities(api, structure, gestionnaire):
    match = match_in(MatchState.RUPTURE_DECLARED, structure=structure)
    body = api("anct").get(f"{URL}{match.pk}/").json()
    assert (body["state"], body["state_label"]) == ("nouvelle_rupture", "Rupture déclarée")
    assert body["contract"]["contract_type"] == "cdd"
    assert body["contract"]["gross_monthly_salary"] == "1900.00"
    assert (body["rupture"]["motive"], body["rupture"]["motive_label"]) == (
        "demission",
        "Démission",
    )
    assert body["abilities"]["validate_rupture"] is True
    assert body["candidat"]["email"] == match.candidat.email


def test_a_new_match_has_no_contract_nor_rupture(api, structure):
    body = api("gestionnaire").get(f"{URL}{match_in(MatchState.NEW, structure=structure).pk}/")
    assert (body.json()["contract"], body.json()["rupture"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"etat": "finalisee"}, [1]), ({"departement": "37"}, [0]), ({"etat": "nouvelle"}, [])],
)
def test_filters(api, matches, query, expected):
    listed = [row["id"] for row in api("anct").get(URL, query).json()["results"]]
    assert listed == [matches[index].pk for index in expected]


def test_the_filter_by_structure(api, matches, other_structure):
    listed = api("anct").get(URL, {"structure": other_structure.pk}).json()["results"]
    assert [row["id"] for row in listed] == [matches[1].pk]


def _fill(structure, count: int, manager) -> None:
    states = [MatchState.NEW, MatchState.FINALISED, MatchState.RUPTURE_DECLARED]
    for index in range(count):
        match = match_in(states[index % 3], structure=structure)
        if match.state == MatchState.NEW:
            services.match_mark_interest(
                structure=structure, candidat=match.candidat, interested=False, by=manager
            )


@pytest.mark.parametrize("persona", ["anct", "prefecture_region_centre", "gestionnaire"])
def test_the_list_costs_the_same_queries_at_3_and_30_rows(
    api, structure, validated, gestionnaire, persona
):
    client = api(persona)
    _fill(structure, 3, gestionnaire)
    few = count_queries(lambda: client.get(URL))
    _fill(structure, 27, gestionnaire)
    assert len(client.get(URL).json()["results"]) == 30
    assert count_queries(lambda: client.get(URL)) == few
