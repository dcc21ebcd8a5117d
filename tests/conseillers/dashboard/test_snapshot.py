"""The dashboard's pages read figures aggregated ahead (conseillers.dashboard.snapshot): the same
figures as an aggregation at the time of the refresh, waits included, that time said on the page,
the rendering kept until the beat task refreshes them."""

import dataclasses
import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from conseillers.dashboard.selectors import territorial_dashboard
from conseillers.dashboard.snapshot import dashboard_figures, dashboard_refresh
from conseillers.models import DepartementFigures
from conseillers.tasks import refresh_dashboard
from tests.conseillers.dashboard.conftest import validated_with
from tests.conseillers.dashboard.test_query_count import grow
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("conseillers:dashboard")


def main_of(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def both(now, codes=None, at=None):
    """What the pages read and what an aggregation at `at` gives, measured at `now`."""
    stored = dashboard_figures(departement_codes=codes, now=now, nation_name="France")
    live = territorial_dashboard(departement_codes=codes, now=now, nation_name="France")
    return stored, dataclasses.replace(live, computed_at=at or now)


@pytest.mark.parametrize("codes", [None, ["37", "41"], ["33"]])
def test_the_stored_figures_are_those_of_an_aggregation(dataset, now, codes):
    dashboard_refresh(now=now)

    stored, live = both(now, codes)

    assert stored == live


def test_waits_are_those_of_the_refresh_like_every_figure(dataset, now):
    three_days_ago = now - datetime.timedelta(days=3)
    dashboard_refresh(now=three_days_ago)

    stored = dashboard_figures(departement_codes=None, now=now, nation_name="France")
    live = territorial_dashboard(departement_codes=None, now=three_days_ago, nation_name="France")

    tours = next(row for row in stored.departements if row.code == "37")
    # Submitted 10 and 4 days before `now`: 7 and 1 days three days earlier.
    assert tours.longest_wait_days == 7 and tours.mean_wait_days == 4
    assert stored == live
    assert stored.computed_at == three_days_ago


def test_the_first_reading_aggregates_when_nothing_is_stored(dataset, now):
    assert not DepartementFigures.objects.exists()

    stored, live = both(now)

    assert stored == live
    assert DepartementFigures.objects.count() == len(stored.departements)


def test_the_page_shows_the_figures_and_their_time_until_the_task_refreshes_them(
    client, anct, territory
):
    client.force_login(anct)
    at = timezone.localtime().replace(hour=14, minute=5, second=0, microsecond=0)
    at -= datetime.timedelta(days=1)
    validated_with(StructureFactory(departement_id="37"), 4)
    dashboard_refresh(now=at)
    validated_with(StructureFactory(departement_id="37"), 3)

    before = client.get(URL).content.decode()
    refresh_dashboard.delay().get()
    after = client.get(URL).content.decode()

    day = formats.date_format(at, "j F Y")
    assert f"Chiffres au {day} à 14 h 05." in before
    assert re.search(r"Postes accordés</dt>\s*<dd[^>]*>4<", before)
    assert re.search(r"Postes accordés</dt>\s*<dd[^>]*>7<", after)
    assert f"Chiffres au {day} à 14 h 05" not in after


def test_a_kept_rendering_reads_only_the_time_of_the_refresh(client, anct, dataset, now):
    client.force_login(anct)
    dashboard_refresh(now=now)
    first = main_of(client.get(URL).content.decode())

    with CaptureQueriesContext(connection) as kept:
        again = main_of(client.get(URL).content.decode())

    assert again == first and "Chiffres au " in again
    reads = [q["sql"] for q in kept.captured_queries if "departementfigures" in q["sql"]]
    assert len(reads) == 1 and 'MIN("conseillers_departementfigures"."computed_at")' in reads[0]


def test_a_territory_page_says_the_time_of_its_figures(client, anct, dataset, now):
    client.force_login(anct)
    dashboard_refresh(now=now)

    page = client.get(reverse("conseillers:dashboard-departement", args=["37"])).content
    assert "Chiffres au " in page.decode()


def test_the_beat_refreshes_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["conseillers-refresh-dashboard"]
    assert entry["task"] == "conseillers.tasks.refresh_dashboard"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_reading_runs_two_queries_at_3_and_30_structures(territory, now):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            dashboard_figures(departement_codes=None, now=now, nation_name="France")
        return len(context)

    grow(3)
    dashboard_refresh(now=now)
    small = queries()
    grow(27, start=3)
    dashboard_refresh(now=now)

    assert queries() == small == 2
