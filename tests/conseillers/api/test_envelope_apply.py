"""POST /api/conseillers/enveloppes/appliquer/: ANCT applies all or part of a proposal."""

import pytest

from conseillers.models import Envelope
from tests.conseillers.api.helpers import ANCT_ONLY, PERSONAS, invalid, post
from tests.conseillers.factories import EnvelopeFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/enveloppes/appliquer/"
REASON = "Répartition 2026 à la population."

STATUS = {persona: 403 for persona in PERSONAS} | {"anct": 200, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_anct_applies_a_proposal(api, persona):
    response = post(api(persona), URL, {"allocation": {"37": 40}, "reason": REASON})
    assert response.status_code == STATUS[persona]
    if response.status_code == 403:
        assert response.json() == ANCT_ONLY
    assert Envelope.objects.exists() is (response.status_code == 200)


def test_only_the_departements_that_change_get_a_new_envelope_row(api):
    EnvelopeFactory(departement_id="37", posts=35)
    EnvelopeFactory(departement_id="36", posts=10)
    allocation = {"37": 35, "36": 12, "41": 8}
    body = post(api("anct"), URL, {"allocation": allocation, "reason": REASON}).json()
    assert [(row["departement"], row["posts"], row["reason"]) for row in body["created"]] == [
        ("36", 12, REASON),
        ("41", 8, REASON),
    ]
    assert body["unchanged"] == ["37"]
    assert Envelope.objects.count() == 4
    in_force = dict(Envelope.objects.in_force().values_list("departement_id", "posts"))
    assert in_force == {"36": 12, "37": 35, "41": 8}


def test_a_proposal_applied_whole_makes_the_envelopes_total_the_proposed_total(api):
    client = api("anct")
    proposal = post(client, "/api/conseillers/enveloppes/proposition/", {"total": 4000}).json()
    allocation = {row["departement"]: row["proposed"] for row in proposal["rows"]}
    post(client, URL, {"allocation": allocation, "reason": REASON})
    envelopes = client.get("/api/conseillers/enveloppes/").json()
    assert sum(row["posts"] for row in envelopes) == 4000
    again = post(client, URL, {"allocation": allocation, "reason": REASON}).json()
    assert again["created"] == []


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"allocation": {"37": 40, "99": 3, "00": 1}, "reason": REASON},
            {"allocation": ["Départements inconnus : 00, 99."]},
        ),
        (
            {"allocation": {"37": -2}, "reason": REASON},
            {
                "allocation": {
                    "37": ["Assurez-vous que cette valeur est supérieure ou égale à\u00a00."]
                }
            },
        ),
        (
            {"allocation": {}, "reason": REASON},
            {"allocation": ["Ce dictionnaire ne peut être vide."]},
        ),
        ({"allocation": {"37": 40}, "reason": ""}, {"reason": ["Ce champ ne peut être vide."]}),
    ],
)
def test_an_invalid_allocation_writes_nothing_and_says_why(api, body, details):
    response = post(api("anct"), URL, body)
    assert (response.status_code, response.json()) == (400, invalid(details))
    assert not Envelope.objects.exists()
