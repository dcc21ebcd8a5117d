"""POST /api/conseillers/mises-en-relation/{id}/finalise|end|rupture|validate-rupture/."""

import pytest
from django.utils import timezone

from conseillers.models import MatchState, Post
from tests.conseillers.api.helpers import (
    CANNOT_ACT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERSONAS,
    invalid,
    post,
)
from tests.conseillers.factories import match_in

pytestmark = pytest.mark.django_db

RUPTURE = {"rupture_date": "2026-09-30", "motive": "demission"}

ACTIONS = {
    # path: (source state, target state, personas allowed, body)
    "finalise": (MatchState.RECRUITED, MatchState.FINALISED, {"anct"}, {}),
    "end": (MatchState.FINALISED, MatchState.ENDED, {"anct", "gestionnaire"}, {}),
    "rupture": (MatchState.FINALISED, MatchState.RUPTURE_DECLARED, {"gestionnaire"}, RUPTURE),
    "validate-rupture": (
        MatchState.RUPTURE_DECLARED,
        MatchState.RUPTURE_VALIDATED,
        {"anct"},
        {},
    ),
}
BLIND = {"colleague", "outsider"}


def url(match, action: str) -> str:
    return f"/api/conseillers/mises-en-relation/{match.pk}/{action}/"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_fire_each_transition(api, structure, persona, action):
    source, target, allowed, body = ACTIONS[action]
    match = match_in(source, structure=structure)
    response = post(api(persona), url(match, action), body)
    match.refresh_from_db()
    if persona in allowed:
        assert response.status_code == 200
        assert response.json()["state"] == match.state == target
        return
    assert match.state == source
    expected = (
        (401, NOT_AUTHENTICATED)
        if persona == "anonymous"
        else (404, NOT_FOUND)
        if persona in BLIND
        else (403, CANNOT_ACT)
    )
    assert (response.status_code, response.json()) == expected


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", MatchState.values)
def test_each_transition_leaves_only_from_its_source_state(api, structure, action, state):
    source, _, allowed, body = ACTIONS[action]
    match = match_in(state, structure=structure)
    response = post(api(sorted(allowed)[-1]), url(match, action), body)
    assert response.status_code == (200 if state == source else 403)


def test_a_rupture_is_recorded_with_its_motive(api, structure):
    match = match_in(MatchState.FINALISED, structure=structure)
    body = post(api("gestionnaire"), url(match, "rupture"), RUPTURE).json()
    assert body["rupture"]["rupture_date"] == "2026-09-30"
    assert body["rupture"]["motive_label"] == "Démission"
    assert body["transitions"][-1]["reason"] == "Démission"


@pytest.mark.parametrize(
    ("overrides", "details"),
    [
        (
            {"rupture_date": "2028-02-01"},
            {
                "rupture_date": [
                    "La rupture doit précéder la fin du contrat (01/02/2028) ; à son terme, "
                    "le contrat se termine normalement."
                ]
            },
        ),
        (
            {"rupture_date": "2026-01-01"},
            {"rupture_date": ["La rupture ne peut pas précéder le début du contrat."]},
        ),
        (
            {"motive": "lassitude"},
            {"motive": ["«\u00a0lassitude\u00a0» n'est pas un choix valide."]},
        ),
        ({"rupture_date": None}, {"rupture_date": ["Ce champ ne peut être nul."]}),
    ],
)
def test_an_invalid_rupture_names_its_field_in_french(api, structure, overrides, details):
    match = match_in(MatchState.FINALISED, structure=structure)
    response = post(api("gestionnaire"), url(match, "rupture"), {**RUPTURE, **overrides})
    assert (response.status_code, response.json()) == (400, invalid(details))
    match.refresh_from_db()
    assert match.state == MatchState.FINALISED


def test_a_validated_rupture_leaves_the_post_vacant_from_the_rupture_date(api, structure):
    match = match_in(MatchState.RUPTURE_DECLARED, structure=structure)
    post(api("anct"), url(match, "validate-rupture"))
    post_row = Post.objects.get(structure=structure)
    assert (post_row.holder, post_row.vacant_since) == (None, match.rupture.rupture_date)


def test_an_ended_contract_leaves_the_post_vacant_today(api, structure):
    match = match_in(MatchState.FINALISED, structure=structure)
    post(api("gestionnaire"), url(match, "end"), {"reason": "Terme du CDD."})
    post_row = Post.objects.get(structure=structure)
    assert post_row.holder is None
    assert post_row.vacant_since == timezone.localdate()
    assert match.transitions.get().reason == "Terme du CDD."
