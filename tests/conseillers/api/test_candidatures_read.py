"""GET /api/conseillers/candidatures/: who sees which application, and what each one carries."""

import pytest

from conseillers import services
from conseillers.models import CandidatureState
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, NOT_FOUND, count_queries
from tests.conseillers.factories import CandidatureFactory, DecisionFactory, EnvelopeFactory
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/candidatures/"

VISIBLE = {
    # persona: (sees the application of the 37 structure, sees the one of the 33 structure)
    "anct": (True, True),
    "prefecture_37": (True, False),
    "prefecture_region_centre": (True, False),
    "gestionnaire": (True, False),
    "colleague": (False, False),
    "outsider": (False, True),
}


@pytest.fixture
def applications(structure, other_structure):
    return CandidatureFactory(structure=structure), CandidatureFactory(structure=other_structure)


@pytest.mark.parametrize("persona", VISIBLE)
def test_the_list_shows_only_the_applications_in_scope(api, applications, persona):
    listed = {row["id"] for row in api(persona).get(URL).json()["results"]}
    for application, visible in zip(applications, VISIBLE[persona], strict=True):
        assert (application.pk in listed) is visible


@pytest.mark.parametrize("persona", VISIBLE)
def test_an_application_out_of_scope_is_not_found(api, applications, persona):
    client = api(persona)
    for application, visible in zip(applications, VISIBLE[persona], strict=True):
        response = client.get(f"{URL}{application.pk}/")
        assert response.status_code == (200 if visible else 404)
        if not visible:
            assert response.json() == NOT_FOUND


def test_anonymous_callers_get_401(api, applications):
    client = api("anonymous")
    assert client.get(URL).json() == NOT_AUTHENTICATED
    assert client.get(f"{URL}{applications[0].pk}/").status_code == 401


ABILITIES_ON_A_NEW_APPLICATION = {
    "anct": {"examine", "decide", "refuse", "cancel", "mark_duplicate", "abandon"},
    "prefecture_37": {"give_opinion"},
    "prefecture_region_centre": {"give_opinion"},
    "gestionnaire": {"abandon"},
}


@pytest.mark.parametrize("persona", ABILITIES_ON_A_NEW_APPLICATION)
def test_each_application_states_what_the_caller_may_do(api, structure, persona):
    application = CandidatureFactory(structure=structure)
    body = api(persona).get(f"{URL}{application.pk}/").json()
    allowed = {name for name, allowed in body["abilities"].items() if allowed}
    assert allowed == {"view"} | ABILITIES_ON_A_NEW_APPLICATION[persona]


def test_the_detail_carries_quota_opinion_duplicate_flag_and_transition_log(
    api, structure, prefecture_37, anct
):
    EnvelopeFactory(departement_id="37", posts=35)
    first = CandidatureFactory(structure=structure, state=CandidatureState.REFUSED)
    application = CandidatureFactory(structure=structure, duplicate_of=first)
    services.opinion_give(
        candidature=application, verdict="favorable", comment="Structure solide.", by=prefecture_37
    )
    services.opinion_give(
        candidature=application,
        verdict="defavorable",
        comment="Finalement, pas de local.",
        by=prefecture_37,
    )
    services.decision_record(
        candidature=application,
        posts_granted=3,
        number="COSELEC-12",
        decided_on="2026-01-15",
        by=anct,
    )
    body = api("anct").get(f"{URL}{application.pk}/").json()
    assert body["state"] == "validee"
    assert body["state_label"] == "Validée"
    assert body["quota"] == 3
    assert body["duplicate_of"] == first.pk
    assert body["is_duplicate"] is True
    assert body["opinion"]["verdict"] == "defavorable"
    assert body["opinion"]["comment"] == "Finalement, pas de local."
    [log] = body["transitions"]
    assert (log["from_state"], log["to_state"]) == ("creee", "validee")
    assert log["to_state_label"] == "Validée"
    assert log["reason"] == "Décision COSELEC-12"


def test_an_application_without_decision_has_a_zero_quota_and_no_opinion(api, structure):
    application = CandidatureFactory(structure=structure)
    body = api("gestionnaire").get(f"{URL}{application.pk}/").json()
    assert (body["quota"], body["opinion"], body["duplicate_of"], body["is_duplicate"]) == (
        0,
        None,
        None,
        False,
    )
    assert body["transitions"] == []


def test_the_state_cannot_be_written_directly(api, structure):
    application = CandidatureFactory(structure=structure)
    client = api("anct")
    for method in (client.put, client.patch):
        response = method(
            f"{URL}{application.pk}/", {"state": "validee"}, content_type="application/json"
        )
        assert response.status_code == 405
    application.refresh_from_db()
    assert application.state == CandidatureState.CREATED


# --- Filters --------------------------------------------------------------------------------------


@pytest.fixture
def mixed(structure):
    in_37 = StructureFactory(departement_id="37")
    in_36 = StructureFactory(departement_id="36")
    original = CandidatureFactory(structure=in_37, state=CandidatureState.VALIDATED)
    return {
        "original": original,
        "duplicate": CandidatureFactory(structure=in_37, duplicate_of=original),
        "examined": CandidatureFactory(structure=in_36, state=CandidatureState.EXAMINATION),
        "refused": CandidatureFactory(structure=structure, state=CandidatureState.REFUSED),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"etat": "validee"}, {"original"}),
        ({"etat": "examen_complementaire"}, {"examined"}),
        ({"departement": "36"}, {"examined"}),
        ({"departement": "37"}, {"original", "duplicate", "refused"}),
        ({"doublon": "true"}, {"duplicate"}),
        ({"non_decidee": "true"}, {"duplicate", "examined"}),
        ({"non_decidee": "false"}, {"original", "refused"}),
        ({"non_decidee": "true", "departement": "37"}, {"duplicate"}),
    ],
)
def test_filters(api, mixed, query, expected):
    body = api("anct").get(URL, query).json()
    names = {name for name, obj in mixed.items() if obj.pk in {r["id"] for r in body["results"]}}
    assert names == expected


def test_an_unknown_state_in_the_filter_is_a_french_error(api, mixed):
    response = api("anct").get(URL, {"etat": "gagnee"})
    assert response.status_code == 400
    assert response.json()["details"]["etat"] == [
        "« gagnee » n'est pas un état connu. États possibles : creee, examen_complementaire, "
        "validee, refusee, abandonnee, annulee, doublon."
    ]


# --- Queries --------------------------------------------------------------------------------------


def _fill(structure, count, prefecture_37, anct):
    for _ in range(count):
        application = CandidatureFactory(structure=structure)
        services.opinion_give(
            candidature=application,
            verdict="favorable",
            comment="Un avis argumenté.",
            by=prefecture_37,
        )
        DecisionFactory(candidature=application, posts_granted=1)
        services.candidature_examine(candidature=application, by=anct)


@pytest.mark.parametrize("persona", ["anct", "prefecture_region_centre", "gestionnaire"])
def test_the_list_costs_the_same_queries_at_3_and_30_rows(
    api, structure, prefecture_37, anct, persona
):
    client = api(persona)
    _fill(structure, 3, prefecture_37, anct)
    few = count_queries(lambda: client.get(URL))
    _fill(structure, 27, prefecture_37, anct)
    assert len(client.get(URL).json()["results"]) == 30
    assert count_queries(lambda: client.get(URL)) == few
