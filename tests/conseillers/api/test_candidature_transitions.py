"""POST /api/conseillers/candidatures/{id}/examine|refuse|cancel|mark-duplicate|abandon/."""

import pytest

from conseillers.models import UNDECIDED, CandidatureState, CandidatureTransition
from tests.conseillers.api.helpers import CANNOT_ACT, NOT_AUTHENTICATED, NOT_FOUND, PERSONAS, post
from tests.conseillers.factories import candidature_in

pytestmark = pytest.mark.django_db

ACTIONS = {
    # path: (target state, the personas allowed on an undecided application)
    "examine": (CandidatureState.EXAMINATION, {"anct"}),
    "refuse": (CandidatureState.REFUSED, {"anct"}),
    "cancel": (CandidatureState.CANCELLED, {"anct"}),
    "mark-duplicate": (CandidatureState.DUPLICATE, {"anct"}),
    "abandon": (CandidatureState.ABANDONED, {"anct", "gestionnaire"}),
}
# Out of scope: the application is not found at all.
BLIND = {"colleague", "outsider"}
# Which states each action leaves from.
SOURCES = {
    "examine": [CandidatureState.CREATED],
    "refuse": UNDECIDED,
    "cancel": UNDECIDED,
    "mark-duplicate": UNDECIDED,
    "abandon": UNDECIDED,
}


def url(application, action: str) -> str:
    return f"/api/conseillers/candidatures/{application.pk}/{action}/"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_fire_each_transition(api, structure, persona, action):
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    target, allowed = ACTIONS[action]
    response = post(api(persona), url(application, action), {"reason": "Motif de test."})
    application.refresh_from_db()
    if persona in allowed:
        assert response.status_code == 200
        assert response.json()["state"] == target
        assert application.state == target
        return
    assert application.state == CandidatureState.CREATED
    expected = (
        (401, NOT_AUTHENTICATED)
        if persona == "anonymous"
        else (404, NOT_FOUND)
        if persona in BLIND
        else (403, CANNOT_ACT)
    )
    assert (response.status_code, response.json()) == expected


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", CandidatureState.values)
def test_each_transition_leaves_only_from_its_source_states(api, structure, action, state):
    application = candidature_in(state, structure=structure)
    response = post(api("anct"), url(application, action), {"reason": "Motif de test."})
    if state in SOURCES[action]:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()) == (403, CANNOT_ACT)
        application.refresh_from_db()
        assert application.state == state


@pytest.mark.parametrize("action", ["refuse", "cancel", "mark-duplicate"])
def test_a_decision_against_the_structure_needs_a_reason(api, structure, action):
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    response = post(api("anct"), url(application, action), {"reason": "  "})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Les données envoyées ne sont pas valides.",
        "details": {"reason": ["Indiquez le motif de cette décision."]},
    }
    assert not CandidatureTransition.objects.exists()


@pytest.mark.parametrize("action", ["examine", "abandon"])
def test_examining_or_abandoning_needs_no_reason(api, structure, action):
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    assert post(api("anct"), url(application, action)).status_code == 200


def test_each_transition_is_logged_with_who_and_why(api, structure, anct):
    anct.first_name, anct.last_name = "Agnès", "Centrale"
    anct.save()
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    client = api("anct")
    post(client, url(application, "examine"))
    body = post(client, url(application, "refuse"), {"reason": "Hors critères."}).json()
    assert [(t["transition"], t["from_state"], t["to_state"]) for t in body["transitions"]] == [
        ("examine", "creee", "examen_complementaire"),
        ("refuse", "examen_complementaire", "refusee"),
    ]
    assert body["transitions"][1]["reason"] == "Hors critères."
    assert body["transitions"][1]["by"] == "Agnès Centrale"
    assert body["transitions"][1]["from_state_label"] == "En examen complémentaire"
    assert body["abilities"]["refuse"] is False


def test_transitions_answer_only_to_post(api, structure):
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    response = api("anct").get(url(application, "examine"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
