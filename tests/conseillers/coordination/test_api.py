"""The coordination API: the same services and abilities as the pages, by role."""

import pytest

from conseillers.coordination import services
from conseillers.coordination.models import Coordination
from conseillers.models import PostKind
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, NOT_FOUND, PERSONAS, post
from tests.conseillers.coordination.conftest import in_post
from tests.conseillers.factories import CONTRACT, CandidatureFactory, MatchFactory

pytestmark = pytest.mark.django_db

# Who sees the coordinator of the structure (37): ANCT, the préfectures of the 37 and of its
# région, and the structure's manager; a colleague aidant and another structure's manager do not.
SEES = {"anct", "prefecture_37", "prefecture_region_centre", "gestionnaire"}
# Who attaches and detaches a conseiller of the 37.
MANAGES = {"anct", "prefecture_37", "prefecture_region_centre"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_coordinators_list_and_group_by_role(api, coordinator, neighbour, anct, persona):
    services.coordination_attach(coordinator=coordinator, conseiller=in_post(neighbour), by=anct)
    client = api(persona)
    listed = client.get("/api/conseillers/coordinateurs/")
    detail = client.get(f"/api/conseillers/coordinateurs/{coordinator.pk}/")
    if persona == "anonymous":
        assert (listed.status_code, listed.json()) == (401, NOT_AUTHENTICATED)
        return
    ids = [row["id"] for row in listed.json()["results"]]
    assert ids == ([coordinator.pk] if persona in SEES else [])
    if persona not in SEES:
        assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
        return
    body = detail.json()
    assert body["group_size"] == 1
    assert [row["structure"] for row in body["group"]] == [neighbour.pk]
    assert body["abilities"]["attach"] is (persona in MANAGES)
    assert body["group"][0]["abilities"] == {"detach": persona in MANAGES}


@pytest.mark.parametrize("persona", PERSONAS)
def test_attaching_by_role(api, coordinator, neighbour, persona):
    conseiller = in_post(neighbour)
    response = post(
        api(persona),
        f"/api/conseillers/coordinateurs/{coordinator.pk}/rattachements/",
        {"conseiller": conseiller.pk},
    )
    expected = {"anonymous": 401}.get(persona, 201 if persona in MANAGES else 404)
    if persona == "gestionnaire":
        expected = 403  # sees the coordinator, may not change the group
    assert response.status_code == expected
    assert Coordination.objects.current().filter(conseiller=conseiller).exists() is (
        expected == 201
    )


def test_an_attachment_the_service_refuses_says_why(api, coordinator, bordeaux):
    response = post(
        api("anct"),
        f"/api/conseillers/coordinateurs/{coordinator.pk}/rattachements/",
        {"conseiller": in_post(bordeaux).pk},
    )
    assert response.status_code == 400
    assert "sa région" in response.json()["details"]["conseiller"][0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_detaching_by_role(api, coordinator, neighbour, anct, persona):
    row = services.coordination_attach(
        coordinator=coordinator, conseiller=in_post(neighbour), by=anct
    )
    response = post(api(persona), f"/api/conseillers/rattachements/{row.pk}/detacher/")
    expected = {"anonymous": 401}.get(persona, 200 if persona in MANAGES else 404)
    if persona == "gestionnaire":
        expected = 403
    assert response.status_code == expected
    row.refresh_from_db()
    assert (row.detached_at is not None) is (expected == 200)


def test_a_recruitment_through_the_api_names_the_kind_of_post(api, coordinated_structure):
    match = MatchFactory(structure=coordinated_structure, state="interessee")
    body = {key: str(value) for key, value in CONTRACT.items()}
    response = post(
        api("gestionnaire"),
        f"/api/conseillers/mises-en-relation/{match.pk}/recruit/",
        {**body, "post_kind": PostKind.COORDINATOR},
    )
    assert response.status_code == 200, response.json()
    posts = api("gestionnaire").get(f"/api/conseillers/postes/{response.json()['post']}/")
    assert posts.json()["kind"] == PostKind.COORDINATOR
    second = MatchFactory(structure=coordinated_structure, state="interessee")
    refused = post(
        api("gestionnaire"),
        f"/api/conseillers/mises-en-relation/{second.pk}/recruit/",
        {**body, "post_kind": PostKind.COORDINATOR},
    )
    assert refused.status_code == 400
    assert "(1 sur 1)" in refused.json()["details"]["post_kind"][0]


def test_a_decision_through_the_api_grants_coordinator_posts(api, structure, envelope_37):
    candidature = CandidatureFactory(structure=structure)
    response = post(
        api("anct"),
        f"/api/conseillers/candidatures/{candidature.pk}/decisions/",
        {
            "posts_granted": 3,
            "coordinator_posts_granted": 1,
            "number": "COSELEC-X",
            "decided_on": "2026-03-01",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["coordinator_posts_granted"] == 1
    too_many = post(
        api("anct"),
        f"/api/conseillers/candidatures/{candidature.pk}/decisions/",
        {
            "posts_granted": 3,
            "coordinator_posts_granted": 4,
            "number": "COSELEC-Y",
            "decided_on": "2026-03-02",
            "motive": "Trop",
        },
    )
    assert too_many.status_code == 400
    assert "coordinator_posts_granted" in too_many.json()["details"]


def test_an_unknown_query_parameter_is_refused(api, coordinator):
    response = api("anct").get("/api/conseillers/coordinateurs/?departemnt=37")
    assert response.status_code == 400
    assert "departemnt" in response.json()["details"]
