"""The statistics of a perimeter over a period, in a constant number of queries.

Territorial perimeters (national, région, département) read `ActivityFigures`: the whole months
of the period from the month rows, its ragged edges from the day rows, a period shorter than
`DAY_SERIES_DAYS` from day rows only (its series is then per day). A structure or a conseiller
has few enough records to aggregate them live, with the same SQL (`sql.columns`).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncMonth

from conseillers.activity.models import Activity, ActivityKind, Autonomy, PlaceKind, Theme

from . import sql
from .access import Perimeter
from .models import ActivityFigures, FiguresRefresh, Grain

# Up to this many days, the series shows one bar per day; beyond, one per month.
DAY_SERIES_DAYS = 62


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def by_day(self) -> bool:
        return (self.end - self.start).days < DAY_SERIES_DAYS

    def buckets(self) -> list[datetime.date]:
        """The first day of each bar of the series."""
        if self.by_day:
            days = (self.end - self.start).days + 1
            return [self.start + datetime.timedelta(days=n) for n in range(days)]
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def bucket_of(self, day: datetime.date) -> datetime.date:
        return day if self.by_day else day.replace(day=1)


@dataclass
class Figures:
    """The sums of one bar of the series, or of the whole period."""

    activities: int = 0
    individual: int = 0
    collective: int = 0
    people: int = 0
    duration_minutes: int = 0
    redirected: int = 0
    by_place: Counter[str] = field(default_factory=Counter)
    by_autonomy: Counter[str] = field(default_factory=Counter)
    by_theme: Counter[str] = field(default_factory=Counter)

    def add_counts(self, row: dict) -> None:
        for name in (*sql.COUNT_COLUMNS, "redirected"):
            setattr(self, name, getattr(self, name) + row[name])


@dataclass
class Stats:
    perimeter: Perimeter
    period: Period
    total: Figures
    series: list[tuple[datetime.date, Figures]]
    themes: list[tuple[str, int]]
    places: list[tuple[str, int]]
    autonomy: list[tuple[str, int]]
    # When the aggregates were made; None for live figures.
    computed_at: datetime.datetime | None

    @property
    def hours(self) -> float:
        return self.total.duration_minutes / 60

    @property
    def average_minutes(self) -> int | None:
        total = self.total
        return round(total.duration_minutes / total.activities) if total.activities else None


def activity_stats(perimeter: Perimeter, period: Period) -> Stats:
    """Four queries whatever the perimeter and the period: the series (grouped by day or month
    in the database), the distributions, the themes' labels, and the aggregates' time (or the
    live themes)."""
    if connection.vendor != "postgresql":
        rows, distributions = _records_in_python(perimeter, period)
        computed_at = None
    elif perimeter.is_territorial:
        rows, distributions = _figures_rows(perimeter.departement_ids, period)
        computed_at = _computed_at()
    else:
        rows, distributions = _live_rows(perimeter, period)
        computed_at = None
    return _assemble(perimeter, period, rows, distributions, computed_at)


def _computed_at() -> datetime.datetime | None:
    return FiguresRefresh.objects.values_list("refreshed_at", flat=True).first()


def figures_cells(period: Period) -> Q:
    """The `ActivityFigures` rows that cover the period exactly, none twice."""
    days = Q(grain=Grain.DAY)
    if period.by_day:
        return days & Q(period_start__range=(period.start, period.end))
    first_full = period.start if period.start.day == 1 else _next_month(period.start)
    after_last_full = (
        _next_month(period.end) if _is_month_end(period.end) else period.end.replace(day=1)
    )
    if first_full >= after_last_full:
        return days & Q(period_start__range=(period.start, period.end))
    months = Q(grain=Grain.MONTH, period_start__gte=first_full, period_start__lt=after_last_full)
    head = days & Q(period_start__gte=period.start, period_start__lt=first_full)
    tail = days & Q(period_start__gte=after_last_full, period_start__lte=period.end)
    return months | head | tail


COUNTS = (*sql.COUNT_COLUMNS, "redirected")
DISTRIBUTIONS = ("by_place", "by_autonomy", "by_theme")


def _figures_rows(
    departement_ids: frozenset[str] | None, period: Period
) -> tuple[list[dict], dict[str, Counter[str]]]:
    """Sums in the database: the cells of a national period over years are thousands of rows,
    whose JSON the application would decode one by one."""
    cells = ActivityFigures.objects.filter(figures_cells(period))
    if departement_ids is not None:
        cells = cells.filter(departement_id__in=departement_ids)
    bucket = F("period_start") if period.by_day else TruncMonth("period_start")
    grouped = cells.annotate(day=bucket).values("day").annotate(**{n: Sum(n) for n in COUNTS})
    rows: list[dict] = [dict(row) for row in grouped.order_by()]
    inner, params = cells.values(*DISTRIBUTIONS).query.sql_with_params()
    each = "SELECT {}, e.key, sum(e.value::bigint) FROM f, jsonb_each_text(f.{}) e GROUP BY 2"
    parts = " UNION ALL ".join(each.format(n, name) for n, name in enumerate(DISTRIBUTIONS))
    distributions: dict[str, Counter[str]] = {name: Counter() for name in DISTRIBUTIONS}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH f AS ({inner}) {parts}", params)  # the ORM's SQL and params
        for n, key, count in cursor.fetchall():
            distributions[DISTRIBUTIONS[n]][key] = int(count)
    return rows, distributions


def _live_rows(perimeter: Perimeter, period: Period) -> tuple[list[dict], dict[str, Counter[str]]]:
    """Per day or month, the records of a structure or a conseiller (index on (…, date))."""
    column = "structure_id" if perimeter.structure_id is not None else "match_id"
    where = f"a.{column} = %s AND a.date BETWEEN %s AND %s"
    params: list[Any] = [perimeter.structure_id or perimeter.match_id, period.start, period.end]
    bucket = "a.date" if period.by_day else "date_trunc('month', a.date)::date"
    columns, column_params = sql.columns()
    names = ("day", *sql.COLUMNS)
    distributions: dict[str, Counter[str]] = {name: Counter() for name in DISTRIBUTIONS}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket}, {columns} FROM {sql.ACTIVITY} a WHERE {where} GROUP BY 1",  # noqa: S608
            [*column_params, *params],
        )
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        for row in rows:  # Django leaves JSON as text on a raw cursor
            distributions["by_place"].update(json.loads(row["by_place"]))
            distributions["by_autonomy"].update(json.loads(row["by_autonomy"]))
        cursor.execute(sql.theme_counts([], where), params)
        distributions["by_theme"].update(dict(cursor.fetchall()))
    return rows, distributions


def _records_in_python(
    perimeter: Perimeter, period: Period
) -> tuple[list[dict], dict[str, Counter[str]]]:
    """The same figures summed from the records in Python, for the embedded demo's SQLite (a few
    hundred records; the aggregates and their SQL are PostgreSQL's)."""
    records = Activity.objects.filter(date__range=(period.start, period.end))
    if perimeter.structure_id is not None:
        records = records.filter(structure_id=perimeter.structure_id)
    elif perimeter.match_id is not None:
        records = records.filter(match_id=perimeter.match_id)
    elif perimeter.departement_ids is not None:
        records = records.filter(departement_id__in=perimeter.departement_ids)
    rows: dict[datetime.date, dict] = {}
    distributions: dict[str, Counter[str]] = {name: Counter() for name in DISTRIBUTIONS}
    for record in records.prefetch_related("themes"):
        day = record.date if period.by_day else record.date.replace(day=1)
        row = rows.setdefault(day, {"day": day, **dict.fromkeys(COUNTS, 0)})
        kind = "individual" if record.kind == ActivityKind.INDIVIDUAL else "collective"
        for name, value in (("activities", 1), (kind, 1), ("people", record.participants)):
            row[name] += value
        row["duration_minutes"] += record.duration_minutes
        row["redirected"] += int(record.redirected)
        distributions["by_place"][record.place_kind] += 1
        if record.autonomy:
            distributions["by_autonomy"][record.autonomy] += 1
        distributions["by_theme"].update(theme.code for theme in record.themes.all())
    return list(rows.values()), distributions


def _assemble(perimeter, period, rows, distributions, computed_at) -> Stats:
    total = Figures()
    series = {bucket: Figures() for bucket in period.buckets()}
    for row in rows:
        total.add_counts(row)
        series[period.bucket_of(_as_date(row["day"]))].add_counts(row)
    total.by_place = distributions["by_place"]
    total.by_autonomy = distributions["by_autonomy"]
    total.by_theme = distributions["by_theme"]
    known = list(Theme.objects.values_list("code", "label"))  # in the national list's order
    labels, order = dict(known), {code: n for n, (code, _) in enumerate(known)}
    themes = sorted(total.by_theme.items(), key=lambda item: (-item[1], order.get(item[0], 0)))
    return Stats(
        perimeter=perimeter,
        period=period,
        total=total,
        series=list(series.items()),
        themes=[(labels.get(code, code), count) for code, count in themes],
        places=[(kind.label, total.by_place[kind.value]) for kind in PlaceKind],
        autonomy=[(level.label, total.by_autonomy[level.value]) for level in Autonomy],
        computed_at=computed_at,
    )


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1
