"""/api/conseillers/avenants/: the same services and abilities as the pages."""

import pytest

from conseillers.amendments.models import AmendmentRequest, AmendmentState
from tests.conseillers.amendments.factories import AmendmentRequestFactory
from tests.conseillers.api.helpers import CANNOT_ACT, NOT_AUTHENTICATED, NOT_FOUND, PERSONAS, post
from tests.conseillers.factories import MatchFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/avenants/"
# Out of scope: the request is not found at all.
BLIND = {"colleague", "outsider"}
ACTIONS = {
    # path: (body, target state, the personas allowed on a pending request)
    "accept": ({"number": "AV-1", "decided_on": "2026-06-01"}, AmendmentState.ACCEPTED, {"anct"}),
    "refuse": ({"reason": "Enveloppe épuisée."}, AmendmentState.REFUSED, {"anct"}),
    "cancel": ({}, AmendmentState.CANCELLED, {"gestionnaire"}),
}


def test_a_manager_asks_to_give_back_a_post(api, structure, granted):
    body = {"structure": structure.pk, "kind": "retrait", "posts": 1, "motive": "fin_subvention"}

    response = post(api("gestionnaire"), URL, body)

    assert response.status_code == 201, response.json()
    created = response.json()
    assert {k: created[k] for k in ("kind", "posts", "posts_before", "state", "motive_label")} == {
        "kind": "retrait",
        "posts": 1,
        "posts_before": 3,
        "state": "en_attente",
        "motive_label": "Fin de la subvention",
    }
    assert created["abilities"] == {
        "view": True,
        "give_opinion": False,
        "accept": False,
        "refuse": False,
        "cancel": True,
    }


def test_giving_back_an_occupied_post_answers_the_clear_refusal(api, structure, granted):
    for _ in range(3):
        MatchFactory(structure=structure, finalised=True)
    body = {"structure": structure.pk, "kind": "retrait", "posts": 1, "motive": "fin_subvention"}

    response = post(api("gestionnaire"), URL, body)

    assert response.status_code == 400
    assert response.json()["details"] == {
        "posts": [
            "Un poste occupé ne peut pas être rendu : sur 3 postes accordés, 3 sont occupés par "
            "un conseiller, vous pouvez en rendre 0 au plus. Un poste se libère par une rupture "
            "validée ou la fin du contrat."
        ]
    }


def test_a_second_pending_request_is_refused_in_french(api, structure, granted):
    AmendmentRequestFactory(structure=structure)
    body = {"structure": structure.pk, "kind": "ajout", "posts": 1, "justification": "Besoin."}

    response = post(api("gestionnaire"), URL, body)

    assert response.status_code == 400
    assert "déjà en attente" in response.json()["details"]["non_field_errors"][0]


@pytest.mark.parametrize("persona", ["anct", "prefecture_37", "colleague", "anonymous"])
def test_only_a_manager_asks(api, structure, granted, persona):
    body = {"structure": structure.pk, "kind": "ajout", "posts": 1, "justification": "Besoin."}

    response = post(api(persona), URL, body)

    assert response.status_code == (401 if persona == "anonymous" else 403)
    assert not AmendmentRequest.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_fire_each_transition(api, structure, granted, persona, action):
    amendment = AmendmentRequestFactory(structure=structure)
    body, target, allowed = ACTIONS[action]

    response = post(api(persona), f"{URL}{amendment.pk}/{action}/", body)

    amendment.refresh_from_db()
    if persona in allowed:
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == amendment.state == target
        return
    assert amendment.state == AmendmentState.PENDING
    expected = (
        (401, NOT_AUTHENTICATED)
        if persona == "anonymous"
        else (404, NOT_FOUND)
        if persona in BLIND
        else (403, CANNOT_ACT)
    )
    assert (response.status_code, response.json()) == expected


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", [s for s in AmendmentState.values if s != "en_attente"])
def test_a_decided_request_takes_no_action(api, structure, granted, action, state):
    from tests.conseillers.factories import DecisionFactory

    decision = DecisionFactory(candidature=granted) if state == "acceptee" else None
    amendment = AmendmentRequestFactory(structure=structure, state=state, decision=decision)
    body, _, allowed = ACTIONS[action]

    response = post(api(next(iter(allowed))), f"{URL}{amendment.pk}/{action}/", body)

    assert (response.status_code, response.json()) == (403, CANNOT_ACT)


def test_the_accepted_request_shows_its_decision(api, structure, granted):
    amendment = AmendmentRequestFactory(structure=structure)

    response = post(api("anct"), f"{URL}{amendment.pk}/accept/", ACTIONS["accept"][0])

    decision = response.json()["decision"]
    summary = (decision["kind"], decision["posts_granted"], decision["number"])
    assert summary == ("retrait", 2, "AV-1")
    assert response.json()["transitions"][0]["to_state"] == "acceptee"


@pytest.mark.parametrize("persona", ["prefecture_37", "prefecture_region_centre"])
def test_the_prefecture_of_the_territory_gives_its_opinion(api, structure, granted, persona):
    amendment = AmendmentRequestFactory(structure=structure)
    body = {"verdict": "favorable", "comment": "Le besoin est avéré sur le territoire."}

    response = post(api(persona), f"{URL}{amendment.pk}/opinion/", body)

    assert response.status_code == 201
    assert response.json()["verdict"] == "favorable"
    shown = api(persona).get(f"{URL}{amendment.pk}/").json()
    assert [o["comment"] for o in shown["opinions"]] == [body["comment"]]


def test_another_prefecture_does_not_see_the_request(api, structure, granted, prefecture_33):
    amendment = AmendmentRequestFactory(structure=structure)
    body = {"verdict": "favorable", "comment": "Le besoin est avéré sur le territoire."}

    response = post(api("prefecture_33"), f"{URL}{amendment.pk}/opinion/", body)

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert api("prefecture_33").get(URL).json()["results"] == []


@pytest.mark.parametrize("persona", ["anct", "prefecture_37", "gestionnaire"])
def test_the_list_is_scoped_and_filtered_by_state(api, structure, other_structure, persona):
    mine = AmendmentRequestFactory(structure=structure)
    AmendmentRequestFactory(structure=other_structure, state=AmendmentState.CANCELLED)

    listed = api(persona).get(URL).json()["results"]
    pending = api(persona).get(URL, {"etat": "en_attente"}).json()["results"]

    assert [a["id"] for a in pending] == [mine.pk]
    assert len(listed) == (2 if persona == "anct" else 1)


def test_an_unknown_state_filter_is_refused(api):
    response = api("anct").get(URL, {"etat": "inconnu"})

    assert response.status_code == 400
