"""The API of the extensions: each path with the same rules as the pages (the same services and
abilities), for each persona."""

import datetime

import pytest

from conseillers.extensions import services
from conseillers.extensions.models import ContractExtension
from conseillers.models import Contract
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, NOT_FOUND, post

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/prolongations/"
PERSONAS = [
    "anct",
    "prefecture_37",
    "prefecture_33",
    "gestionnaire",
    "colleague",
    "outsider",
    "conseiller",
    "anonymous",
]
# Who sees a request: ANCT, the préfecture of its territory, its structure's manager, the
# conseiller whose contract it is.
READERS = {"anct", "prefecture_37", "gestionnaire", "conseiller"}


@pytest.fixture
def api(request, client):
    def login(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login


@pytest.fixture
def pending(finalised, gestionnaire) -> ContractExtension:
    return services.extension_request(
        match=finalised,
        requested_end_date=finalised.contract.end_date + datetime.timedelta(days=365),
        by=gestionnaire,
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_and_the_detail_are_scoped(api, pending, persona):
    client = api(persona)
    listed = client.get(URL)
    detail = client.get(f"{URL}{pending.pk}/")
    if persona == "anonymous":
        assert (listed.status_code, listed.json()) == (401, NOT_AUTHENTICATED)
        return
    ids = [row["id"] for row in listed.json()["results"]]
    assert (ids == [pending.pk]) is (persona in READERS)
    if persona not in READERS:
        assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
        return
    body = detail.json()
    assert (body["state"], body["state_label"]) == ("demandee", "Demandée")
    assert body["previous_end_date"] == pending.previous_end_date.isoformat()
    assert body["requested_end_date"] == pending.requested_end_date.isoformat()
    assert body["contract_end_date"] == pending.previous_end_date.isoformat()
    assert body["abilities"] == {
        "view": True,
        "validate": persona == "anct",
        "refuse": persona == "anct",
        "cancel": persona == "gestionnaire",
    }
    assert [t["transition"] for t in body["transitions"]] == ["request"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_manager_asks(api, finalised, persona):
    new_end = finalised.contract.end_date + datetime.timedelta(days=90)
    response = post(
        api(persona),
        URL,
        {"mise_en_relation": finalised.pk, "requested_end_date": new_end.isoformat()},
    )
    expected = {
        "anonymous": 401,
        "gestionnaire": 201,
        "prefecture_33": 404,  # the match is outside their scope
        "colleague": 404,
        "outsider": 404,
    }.get(persona, 403)
    assert response.status_code == expected
    if expected == 201:
        assert response.json()["requested_end_date"] == new_end.isoformat()
        assert response.json()["state"] == "demandee"
    else:
        assert not ContractExtension.objects.exists()


def test_a_date_before_the_current_end_is_refused_on_its_field(api, finalised):
    response = post(
        api("gestionnaire"),
        URL,
        {
            "mise_en_relation": finalised.pk,
            "requested_end_date": finalised.contract.end_date.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["details"]["requested_end_date"] == [
        "La nouvelle date de fin doit suivre la date de fin actuelle "
        f"({finalised.contract.end_date:%d/%m/%Y})."
    ]


def test_a_second_pending_request_is_refused_with_the_reason(api, pending):
    response = post(
        api("gestionnaire"),
        URL,
        {
            "mise_en_relation": pending.contract.match_id,
            "requested_end_date": (pending.requested_end_date + datetime.timedelta(1)).isoformat(),
        },
    )
    assert response.status_code == 403
    assert response.json()["message"] == (
        "Une demande de prolongation est déjà en attente pour ce contrat."
    )


ACTIONS = {
    "validate": ({}, {"anct"}, "validee"),
    "refuse": ({"motive": "Budget épuisé."}, {"anct"}, "refusee"),
    "cancel": ({}, {"gestionnaire"}, "annulee"),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_decision_by_its_role_only(api, pending, persona, action):
    body, allowed, target = ACTIONS[action]
    response = post(api(persona), f"{URL}{pending.pk}/{action}/", body)
    if persona == "anonymous":
        assert response.status_code == 401
    elif persona not in READERS:
        assert response.status_code == 404
    elif persona not in allowed:
        assert response.status_code == 403
    else:
        assert (response.status_code, response.json()["state"]) == (200, target)
    pending.refresh_from_db()
    assert pending.state == (target if persona in allowed else "demandee")
    # Played again, an action already done is refused without changing anything.
    if persona in allowed:
        assert post(api(persona), f"{URL}{pending.pk}/{action}/", body).status_code == 403


def test_validation_through_the_api_moves_the_contract_end(api, pending):
    body = post(api("anct"), f"{URL}{pending.pk}/validate/").json()
    assert body["contract_end_date"] == pending.requested_end_date.isoformat()
    assert body["previous_end_date"] == pending.previous_end_date.isoformat()
    assert Contract.objects.get(pk=pending.contract_id).end_date == pending.requested_end_date


def test_a_refusal_without_motive_is_refused(api, pending):
    response = post(api("anct"), f"{URL}{pending.pk}/refuse/", {"motive": ""})
    assert response.status_code == 400
    assert "motive" in response.json()["details"]


def test_the_list_filters_by_state(api, pending):
    client = api("anct")
    assert [r["id"] for r in client.get(f"{URL}?etat=demandee").json()["results"]] == [pending.pk]
    assert client.get(f"{URL}?etat=validee").json()["results"] == []
    assert client.get(f"{URL}?etat=inconnu").status_code == 400


@pytest.mark.parametrize("match_id", [0, -1, 2**63])
def test_an_unknown_match_is_not_found(api, finalised, match_id):
    new_end = finalised.contract.end_date + datetime.timedelta(days=90)
    response = post(
        api("gestionnaire"),
        URL,
        {"mise_en_relation": match_id, "requested_end_date": new_end.isoformat()},
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
