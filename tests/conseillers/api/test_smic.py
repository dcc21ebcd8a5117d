"""GET /api/conseillers/smic/: the dated SMIC table that bounds the salaries."""

import datetime
from decimal import Decimal

import pytest

from conseillers.models import SmicRate
from tests.conseillers.api.helpers import NOT_AUTHENTICATED, PERSONAS, post

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/smic/"


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_logged_in_reads_the_smic_table_newest_first(api, persona):
    response = api(persona).get(URL)
    if persona == "anonymous":
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
        return
    rows = response.json()
    assert rows[:2] == [
        {"valid_from": "2024-11-01", "hourly_gross": "11.88", "monthly_full_time": "1801.80"},
        {"valid_from": "2024-01-01", "hourly_gross": "11.65", "monthly_full_time": "1766.92"},
    ]


def test_a_rate_added_by_anct_in_the_admin_appears(api):
    SmicRate.objects.create(valid_from=datetime.date(2026, 1, 1), hourly_gross=Decimal("12.02"))
    assert api("gestionnaire").get(URL).json()[0]["valid_from"] == "2026-01-01"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_table_is_read_only_through_the_api(api, method):
    client = api("anct")
    response = (
        post(client, URL, {"valid_from": "2026-01-01", "hourly_gross": "12"})
        if method == "post"
        else getattr(client, method)(URL)
    )
    assert response.status_code == 405
