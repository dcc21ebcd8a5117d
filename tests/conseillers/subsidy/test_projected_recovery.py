"""A vacant post shows, on the subsidy page and in the API, the recovery the daily reconciliation
will create if nobody is recruited in time, and the day it will: the reconciliation then creates
exactly that."""

import datetime

import pytest

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Recovery, SubventionState
from conseillers.subsidy.selectors import projected_recovery
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db

API = "/api/conseillers/subventions/"
OVERVIEW = "/conseillers/subventions/"
# France Relance: 50,000 € over 24 months, tranche 1 (40 %) paid at the start.
PAID = 2_000_000
EARNED_IN_3_MONTHS = 5_000_000 * 3 // 24


@pytest.fixture
def vacant(career, today):
    """Recruited five months ago, tranche 1 paid, left after three months: vacant, in window."""
    start = months_ago(5, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subvention = career.subvention(match)
    assert subvention.state == SubventionState.VACANT
    return subvention


def test_the_api_shows_the_projected_recovery_of_a_vacant_post(client, gestionnaire, vacant):
    client.force_login(gestionnaire)
    (row,) = client.get(API).json()["results"]
    assert row["projected_recovery"] == {
        "amount_cents": PAID - EARNED_IN_3_MONTHS,
        "due_on": (vacant.vacancy_deadline + datetime.timedelta(days=1)).isoformat(),
    }


def test_a_post_in_service_has_no_projected_recovery(client, gestionnaire, career, today):
    career.recruit(months_ago(2, today))
    client.force_login(gestionnaire)
    (row,) = client.get(API).json()["results"]
    assert row["projected_recovery"] is None


def test_the_reconciliation_creates_the_projected_recovery_on_the_projected_day(vacant):
    projected = projected_recovery(vacant, PAID)
    assert projected is not None
    subsidy.subventions_reconcile(today=projected.due_on - datetime.timedelta(days=1))
    assert not Recovery.objects.exists()
    subsidy.subventions_reconcile(today=projected.due_on)
    recovery = Recovery.objects.get(subvention=vacant)
    assert recovery.amount_cents == projected.amount_cents


@pytest.mark.parametrize("persona", ["gestionnaire", "anct"])
def test_the_subsidy_page_shows_the_projected_recovery_and_its_day(
    client, persona, vacant, request
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(f"{OVERVIEW}?structure={vacant.structure_id}").content.decode()
    due_on = vacant.vacancy_deadline + datetime.timedelta(days=1)
    assert (
        f"Sans recrutement d'ici le {vacant.vacancy_deadline:%d/%m/%Y}, la subvention sera soldée "
        f"le {due_on:%d/%m/%Y} sur 3 mois de service : reversement prévu de 13\u202f750,00 €"
    ) in page


def test_a_vacant_post_paid_no_more_than_earned_projects_no_recovery(
    client, gestionnaire, career, today
):
    start = months_ago(14, today)
    match = career.recruit(start)
    career.rupture(match, add_months(start, 12))  # nothing paid
    client.force_login(gestionnaire)
    (row,) = client.get(API).json()["results"]
    assert row["projected_recovery"]["amount_cents"] == 0
    assert "aucun reversement, rien n'a été payé au-delà" in client.get(OVERVIEW).content.decode()


def test_the_schema_documents_the_projected_recovery(client, anct):
    client.force_login(anct)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    field = schema["components"]["schemas"]["Subvention"]["properties"]["projected_recovery"]
    assert field["nullable"] is True
    assert "réconciliation" in field["description"]
    projected = schema["components"]["schemas"]["ProjectedRecovery"]
    assert set(projected["required"]) == {"amount_cents", "due_on"}
