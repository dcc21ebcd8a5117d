"""The aggregates and the statistics read from them: the same figures as the records, whatever
the period's edges; a refresh run twice writes the same rows."""

import datetime

import pytest
from django.utils import timezone

from conseillers.activity.models import ActivityKind, Autonomy, PlaceKind, Theme
from conseillers.activity.stats import selectors
from conseillers.activity.stats.access import perimeter_for
from conseillers.activity.stats.models import ActivityFigures, FiguresRefresh, Grain
from conseillers.activity.stats.refresh import (
    figures_rebuild,
    figures_refresh,
    figures_refresh_activities,
)
from conseillers.activity.stats.selectors import Period, activity_stats
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import MatchFactory

D = datetime.date


@pytest.fixture
def records(structure, other_structure):
    """Records in Indre-et-Loire over January to March 2026 and one in Gironde."""
    tours = MatchFactory(structure=structure, finalised=True)
    bordeaux = MatchFactory(structure=other_structure, finalised=True)
    themes = list(Theme.objects.order_by("order")[:3])
    made = []
    for day, kind, place, theme_count in [
        (D(2026, 1, 30), ActivityKind.INDIVIDUAL, PlaceKind.PLACE, 1),
        (D(2026, 2, 1), ActivityKind.INDIVIDUAL, PlaceKind.REMOTE, 2),
        (D(2026, 2, 14), ActivityKind.COLLECTIVE, PlaceKind.PLACE, 3),
        (D(2026, 2, 28), ActivityKind.INDIVIDUAL, PlaceKind.HOME, 1),
        (D(2026, 3, 1), ActivityKind.INDIVIDUAL, PlaceKind.PLACE, 2),
        (D(2026, 3, 20), ActivityKind.INDIVIDUAL, PlaceKind.PLACE, 1),
    ]:
        extra = {}
        if kind == ActivityKind.COLLECTIVE:
            extra = {"participants": 6, "autonomy": "", "age_35_60": 6, "status_employed": 6}
        activity = ActivityFactory(
            match=tours, date=day, kind=kind, place_kind=place, duration_minutes=30, **extra
        )
        activity.themes.set(themes[:theme_count])
        made.append(activity)
    ActivityFactory(match=bordeaux, date=D(2026, 2, 10)).themes.set(themes[:1])
    return tours, bordeaux, themes


NOW = timezone.now()


def test_a_refresh_run_twice_writes_the_same_rows(records):
    figures_rebuild(now=NOW)
    first = list(ActivityFigures.objects.order_by("grain", "period_start", "departement").values())
    figures_refresh(start=D(2026, 1, 1), end=D(2026, 3, 31), now=NOW)
    figures_refresh(start=D(2026, 1, 1), end=D(2026, 3, 31), now=NOW)
    again = list(ActivityFigures.objects.order_by("grain", "period_start", "departement").values())
    strip = [{k: v for k, v in row.items() if k != "id"} for row in first]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in again]
    february_37 = ActivityFigures.objects.get(
        grain=Grain.MONTH, period_start=D(2026, 2, 1), departement_id="37"
    )
    assert (february_37.activities, february_37.individual, february_37.collective) == (3, 2, 1)
    assert february_37.people == 8  # one, six participants, one
    assert february_37.by_place == {PlaceKind.PLACE: 1, PlaceKind.REMOTE: 1, PlaceKind.HOME: 1}
    assert february_37.by_autonomy == {Autonomy.PARTLY: 2}
    assert FiguresRefresh.objects.get().refreshed_at == NOW


def test_a_refresh_of_a_window_picks_up_changes_and_deletions_inside_it(records):
    tours, _, themes = records
    figures_rebuild(now=NOW)
    gone = tours.activities.get(date=D(2026, 3, 20))
    gone.delete()
    added = ActivityFactory(match=tours, date=D(2026, 3, 21), duration_minutes=90)
    added.themes.set(themes[2:3])
    figures_refresh_activities([gone, added], now=NOW)  # the département of the records only
    march = ActivityFigures.objects.get(grain=Grain.MONTH, period_start=D(2026, 3, 1))
    assert (march.activities, march.duration_minutes) == (2, 120)
    assert not ActivityFigures.objects.filter(grain=Grain.DAY, period_start=D(2026, 3, 20)).exists()
    assert march.by_theme == {themes[0].code: 1, themes[1].code: 1, themes[2].code: 1}


@pytest.mark.parametrize(
    "start, end",
    [
        (D(2026, 1, 1), D(2026, 3, 31)),  # whole months
        (D(2026, 1, 30), D(2026, 3, 1)),  # ragged edges, per day
        (D(2026, 1, 15), D(2026, 3, 25)),  # ragged edges around a whole month
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2025, 6, 1), D(2026, 12, 31)),
    ],
)
def test_territorial_figures_equal_the_records_live(records, anct, start, end):
    """The département read from the aggregates, the structure (its only one) live."""
    tours, _, _ = records
    figures_rebuild(now=NOW)
    period = Period(start, end)
    territory = activity_stats(perimeter_for(anct, "departement-37"), period)
    live = activity_stats(perimeter_for(anct, f"structure-{tours.structure_id}"), period)
    assert territory.total == live.total
    assert territory.themes == live.themes
    assert [f.activities for _, f in territory.series] == [f.activities for _, f in live.series]
    assert territory.computed_at == NOW and live.computed_at is None


def test_national_figures_add_every_departement(records, anct):
    figures_rebuild(now=NOW)
    stats = activity_stats(perimeter_for(anct, "national"), Period(D(2026, 1, 1), D(2026, 3, 31)))
    assert stats.total.activities == 7
    assert stats.total.people == 12
    assert [(day, f.activities) for day, f in stats.series] == [
        (D(2026, 1, 1), 1),
        (D(2026, 2, 1), 4),
        (D(2026, 3, 1), 2),
    ]
    assert dict(stats.places)["Lieu d'activité"] == 5
    assert dict(stats.autonomy)["Partiellement autonome"] == 6


def test_statistics_read_in_constant_queries(records, anct, django_assert_max_num_queries):
    figures_rebuild(now=NOW)
    period = Period(D(2025, 1, 15), D(2026, 3, 20))
    national = perimeter_for(anct, "national")
    with django_assert_max_num_queries(4):
        activity_stats(national, period)
    structure = perimeter_for(anct, f"structure-{records[0].structure_id}")
    with django_assert_max_num_queries(4):
        activity_stats(structure, period)


@pytest.mark.parametrize(
    "scope", ["national", "departement-37", "structure", "conseiller"], ids=lambda s: s
)
@pytest.mark.parametrize(
    "start, end", [(D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 1, 30), D(2026, 3, 1))]
)
def test_the_demo_s_sums_in_python_equal_postgresql_s(records, anct, scope, start, end):
    """On SQLite (the embedded demo) every scale is summed from the records in Python: the same
    figures as PostgreSQL's aggregates and live SQL, on the same records."""
    tours, _, _ = records
    figures_rebuild(now=NOW)
    name = {"structure": f"structure-{tours.structure_id}", "conseiller": f"conseiller-{tours.pk}"}
    perimeter = perimeter_for(anct, name.get(scope, scope))
    period = Period(start, end)
    rows, distributions = selectors._records_in_python(perimeter, period)
    in_python = selectors._assemble(perimeter, period, rows, distributions, None)
    in_postgresql = activity_stats(perimeter, period)
    assert in_python.total == in_postgresql.total
    assert in_python.series == in_postgresql.series
    assert (in_python.themes, in_python.places, in_python.autonomy) == (
        in_postgresql.themes,
        in_postgresql.places,
        in_postgresql.autonomy,
    )
