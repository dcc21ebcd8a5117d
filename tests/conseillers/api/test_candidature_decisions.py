"""GET/POST /api/conseillers/candidatures/{id}/decisions/: ANCT's decision ledger."""

import pytest

from conseillers.models import CandidatureState, Decision, DecisionKind, MatchState
from tests.conseillers.api.helpers import (
    CANNOT_ACT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERSONAS,
    invalid,
    post,
)
from tests.conseillers.factories import (
    DecisionFactory,
    EnvelopeFactory,
    candidature_in,
    match_in,
)
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def decision(posts: int, **extra) -> dict:
    return {"posts_granted": posts, "number": f"N-{posts}", "decided_on": "2026-01-15", **extra}


def ledger_url(application) -> str:
    return f"/api/conseillers/candidatures/{application.pk}/decisions/"


def detail(client, application) -> dict:
    return client.get(f"/api/conseillers/candidatures/{application.pk}/").json()


@pytest.fixture
def application(structure, envelope_37):
    return candidature_in(CandidatureState.CREATED, structure=structure)


RECORD_STATUS = {
    "anct": 201,
    "prefecture_37": 403,
    "prefecture_region_centre": 403,
    "gestionnaire": 403,
    "colleague": 404,
    "outsider": 404,
    "anonymous": 401,
}
READ_STATUS = {**RECORD_STATUS, "anct": 200, "prefecture_37": 200}
READ_STATUS |= {"prefecture_region_centre": 200, "gestionnaire": 200}
BODIES = {401: NOT_AUTHENTICATED, 403: CANNOT_ACT, 404: NOT_FOUND}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_anct_records_a_decision(api, application, persona):
    response = post(api(persona), ledger_url(application), decision(2))
    status = RECORD_STATUS[persona]
    assert response.status_code == status
    if status != 201:
        assert response.json() == BODIES[status]
    assert Decision.objects.exists() is (status == 201)


@pytest.mark.parametrize("persona", PERSONAS)
def test_whoever_sees_the_application_reads_its_ledger(api, application, persona):
    DecisionFactory(candidature=application, posts_granted=2)
    response = api(persona).get(ledger_url(application))
    assert response.status_code == READ_STATUS[persona]
    if response.status_code == 200:
        assert [row["posts_granted"] for row in response.json()["results"]] == [2]


def test_the_first_decision_validates_the_application_and_sets_its_quota(api, application):
    client = api("anct")
    response = post(client, ledger_url(application), decision(3, priority=True))
    assert response.status_code == 201
    assert response.json()["kind"] == DecisionKind.INITIAL
    assert response.json()["priority"] is True
    body = detail(client, application)
    assert (body["state"], body["quota"]) == (CandidatureState.VALIDATED, 3)
    assert body["abilities"]["decide"] is True


def test_the_quota_in_force_is_the_last_positive_decision_of_the_ledger(api, application):
    client = api("anct")
    post(client, ledger_url(application), decision(3))
    added = post(client, ledger_url(application), decision(5, motive="Nouveau quartier."))
    withdrawn = post(client, ledger_url(application), decision(2, motive="Poste non pourvu."))
    assert (added.json()["kind_label"], withdrawn.json()["kind_label"]) == (
        "Avenant : ajout de postes",
        "Avenant : retrait de postes",
    )
    # A zero-post row (a refusal imported from the former platform) leaves the quota as it was.
    DecisionFactory(candidature=application, kind=DecisionKind.REFUSAL, posts_granted=0)
    ledger = client.get(ledger_url(application)).json()["results"]
    assert [row["posts_granted"] for row in ledger] == [0, 2, 5, 3]
    assert detail(client, application)["quota"] == 2


def test_granting_beyond_the_envelope_is_refused_with_the_free_posts(api, structure):
    EnvelopeFactory(departement_id="37", posts=5)
    DecisionFactory(candidature__structure=StructureFactory(departement_id="37"), posts_granted=4)
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    response = post(api("anct"), ledger_url(application), decision(2))
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "posts_granted": [
                    "L'enveloppe du département est de 5 postes, dont 4 déjà accordés : "
                    "il reste 1 poste. Pour accorder 2 postes, justifiez le dépassement "
                    "de l'enveloppe."
                ]
            }
        ),
    )
    assert detail(api("anct"), application)["state"] == CandidatureState.CREATED


def test_a_justified_override_grants_beyond_the_envelope(api, structure):
    EnvelopeFactory(departement_id="37", posts=1)
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    body = decision(2, envelope_override="Quartier prioritaire sans autre structure candidate.")
    response = post(api("anct"), ledger_url(application), body)
    assert response.status_code == 201
    assert response.json()["envelope_override"].startswith("Quartier prioritaire")
    assert detail(api("anct"), application)["quota"] == 2


def test_a_departement_without_envelope_grants_nothing_without_override(api, structure):
    application = candidature_in(CandidatureState.CREATED, structure=structure)
    response = post(api("anct"), ledger_url(application), decision(1))
    assert response.status_code == 400
    assert response.json()["details"]["posts_granted"][0].startswith(
        "L'enveloppe du département est de 0 poste,"
    )


@pytest.mark.parametrize(
    ("first", "then", "details"),
    [
        (
            None,
            decision(0),
            {
                "posts_granted": [
                    "Une décision favorable accorde au moins un poste ; "
                    "pour refuser, utilisez le refus."
                ]
            },
        ),
        (3, decision(4), {"motive": ["Un avenant doit indiquer son motif."]}),
        (
            3,
            decision(3, motive="Rien ne change."),
            {
                "posts_granted": [
                    "Le quota en vigueur est déjà de 3 postes : "
                    "un avenant ajoute ou retire des postes."
                ]
            },
        ),
        (
            None,
            {"posts_granted": 1, "decided_on": "2026-01-15"},
            {"number": ["Ce champ est obligatoire."]},
        ),
    ],
)
def test_invalid_decisions_are_refused_in_french(api, application, first, then, details):
    client = api("anct")
    if first is not None:
        post(client, ledger_url(application), decision(first))
    response = post(client, ledger_url(application), then)
    assert (response.status_code, response.json()) == (400, invalid(details))


def test_a_withdrawal_cannot_go_below_the_posts_occupied(api, structure, application):
    client = api("anct")
    post(client, ledger_url(application), decision(2))
    for _ in range(2):
        match_in(MatchState.FINALISED, structure=structure)
    response = post(client, ledger_url(application), decision(1, motive="Réduction."))
    assert (response.status_code, response.json()) == (
        400,
        invalid(
            {
                "posts_granted": [
                    "2 postes sont occupés dans cette structure : le quota ne peut pas "
                    "descendre à 1."
                ]
            }
        ),
    )
    assert detail(client, application)["quota"] == 2


@pytest.mark.parametrize(
    "state", [CandidatureState.REFUSED, CandidatureState.CANCELLED, CandidatureState.DUPLICATE]
)
def test_a_closed_application_takes_no_decision(api, structure, envelope_37, state):
    application = candidature_in(state, structure=structure)
    response = post(api("anct"), ledger_url(application), decision(1))
    assert (response.status_code, response.json()) == (403, CANNOT_ACT)
