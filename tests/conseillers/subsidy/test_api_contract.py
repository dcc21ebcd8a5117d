"""The subsidy API answers what its schema says: the budget is one object, paying a tranche
again with the same reference and date returns the payment already recorded."""

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import Payment
from tests.conseillers.api.helpers import post
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db

API = "/api/conseillers"


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    target = tmp_path_factory.mktemp("schema") / "schema.yml"
    GENERATOR_STATS.reset()
    with django_db_blocker.unblock():
        call_command("spectacular", "--fail-on-warn", f"--file={target}")
    return yaml.safe_load(target.read_text())


def test_the_budget_is_documented_as_the_one_object_it_answers(client, anct, schema):
    client.force_login(anct)
    body = client.get(f"{API}/budget/").json()

    ok = schema["paths"]["/api/conseillers/budget/"]["get"]["responses"]["200"]
    documented = ok["content"]["application/json"]["schema"]
    assert documented == {"$ref": "#/components/schemas/Budget"}
    assert isinstance(body, dict)
    assert set(body) == set(schema["components"]["schemas"]["Budget"]["properties"])


@pytest.fixture
def approved(career, anct, today):
    tranche = career.tranches(career.recruit(months_ago(1, today)))[0]
    subsidy.tranche_approve(tranche=tranche, by=anct)
    return tranche


def test_paying_again_with_the_same_reference_and_date_returns_the_recorded_payment(
    client, anct, approved
):
    client.force_login(anct)
    body = {"reference": "BDT-1", "paid_on": "2026-03-02"}
    first = post(client, f"{API}/tranches/{approved.pk}/pay/", body)

    again = post(client, f"{API}/tranches/{approved.pk}/pay/", body)

    assert first.status_code == 201
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert Payment.objects.count() == 1


def test_paying_again_with_another_reference_is_refused_with_the_reason(client, anct, approved):
    client.force_login(anct)
    post(client, f"{API}/tranches/{approved.pk}/pay/", {"reference": "A", "paid_on": "2026-03-02"})

    other = post(
        client, f"{API}/tranches/{approved.pk}/pay/", {"reference": "B", "paid_on": "2026-03-02"}
    )

    assert other.status_code == 400
    assert "déjà payée" in other.json()["details"]["non_field_errors"][0]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
def test_nobody_but_anct_learns_or_records_a_payment(request, client, anct, approved, persona):
    client.force_login(anct)
    body = {"reference": "BDT-1", "paid_on": "2026-03-02"}
    post(client, f"{API}/tranches/{approved.pk}/pay/", body)
    client.force_login(request.getfixturevalue(persona))

    replay = post(client, f"{API}/tranches/{approved.pk}/pay/", body)

    assert replay.status_code == 403
    assert replay.json()["code"] == "permission_denied"


def test_the_decisions_ledger_is_documented_paginated(schema):
    path = schema["paths"]["/api/conseillers/candidatures/{id}/decisions/"]["get"]
    documented = path["responses"]["200"]["content"]["application/json"]["schema"]
    assert documented == {"$ref": "#/components/schemas/PaginatedDecisionList"}
    assert {p["name"] for p in path.get("parameters", []) if p["in"] == "query"} == {
        "page",
        "taille",
    }
