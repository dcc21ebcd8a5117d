"""POST /api/conseillers/enveloppes/proposition/: an apportionment beside the envelopes in force."""

from decimal import Decimal

import pytest

from conseillers.apportionment import Method
from conseillers.models import Envelope
from core.models import Departement
from tests.conseillers.api.helpers import ANCT_ONLY, PERSONAS, invalid, post
from tests.conseillers.factories import EnvelopeFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/enveloppes/proposition/"

STATUS = {persona: 403 for persona in PERSONAS} | {"anct": 200, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_anct_asks_for_a_proposal(api, persona):
    response = post(api(persona), URL, {"total": 4000})
    assert response.status_code == STATUS[persona]
    if response.status_code == 403:
        assert response.json() == ANCT_ONLY


@pytest.mark.parametrize("method", [method.value for method in Method])
@pytest.mark.parametrize("total", [0, 1, 107, 4000, 4001])
def test_the_proposal_hands_out_exactly_the_total(api, method, total):
    body = post(api("anct"), URL, {"total": total, "method": method}).json()
    assert sum(row["proposed"] for row in body["rows"]) == total
    assert body["proposed_total"] == total
    assert len(body["rows"]) == Departement.objects.count()
    assert body["method"] == method


def test_the_default_is_the_largest_remainder_over_the_population(api):
    body = post(api("anct"), URL, {"total": 4000}).json()
    assert (body["method"], body["method_label"], body["indicator"], body["floor"]) == (
        "hamilton",
        "Plus forts restes (Hamilton)",
        "population",
        0,
    )
    population = {d.code: d.population for d in Departement.objects.all()}
    share = Decimal(4000 * population["37"]) / Decimal(sum(population.values()))
    [row] = [row for row in body["rows"] if row["departement"] == "37"]
    assert Decimal(row["quota"]) == share.quantize(Decimal("0.0001"))
    # Largest remainder keeps every département within one post of its exact share.
    assert abs(Decimal(row["deviation"])) < 1
    assert row["departement_name"] == "Indre-et-Loire"


def test_the_proposal_sits_beside_the_envelopes_in_force_and_writes_nothing(api):
    EnvelopeFactory(departement_id="37", posts=35)
    EnvelopeFactory(departement_id="36", posts=10)
    body = post(api("anct"), URL, {"total": 4000, "method": "sainte_lague"}).json()
    rows = {row["departement"]: row for row in body["rows"]}
    assert (rows["37"]["current"], rows["36"]["current"], rows["01"]["current"]) == (35, 10, 0)
    for row in rows.values():
        assert row["difference"] == row["proposed"] - row["current"]
    assert body["current_total"] == 45
    assert Envelope.objects.count() == 2


def test_loosemore_hanby_indices_compare_both_sides(api):
    EnvelopeFactory(departement_id="37", posts=35)
    body = post(api("anct"), URL, {"total": 4000}).json()
    current, proposed = Decimal(body["current_index"]), Decimal(body["proposed_index"])
    # All the current posts in one département is far from proportional; the proposal is close.
    assert current > Decimal("0.9")
    assert Decimal(0) <= proposed < Decimal("0.01")


def test_without_any_envelope_the_current_index_is_undefined(api):
    assert post(api("anct"), URL, {"total": 100}).json()["current_index"] is None


def test_a_floor_gives_every_departement_at_least_that_many_posts(api):
    body = post(api("anct"), URL, {"total": 4000, "floor": 10, "method": "dhondt"}).json()
    assert min(row["proposed"] for row in body["rows"]) >= 10
    assert body["proposed_total"] == 4000


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"total": 100, "floor": 5},
            {
                "non_field_errors": [
                    "La somme des planchers (535) dépasse le nombre total de postes (100)."
                ]
            },
        ),
        (
            {"total": 100, "method": "au_hasard"},
            {"method": ["«\u00a0au_hasard\u00a0» n'est pas un choix valide."]},
        ),
        (
            {"total": 100, "indicator": "revenu"},
            {"indicator": ["«\u00a0revenu\u00a0» n'est pas un choix valide."]},
        ),
        (
            {"total": -1},
            {"total": ["Assurez-vous que cette valeur est supérieure ou égale à\u00a00."]},
        ),
        ({}, {"total": ["Ce champ est obligatoire."]}),
    ],
)
def test_an_impossible_proposal_is_explained_in_french(api, body, details):
    response = post(api("anct"), URL, body)
    assert (response.status_code, response.json()) == (400, invalid(details))
