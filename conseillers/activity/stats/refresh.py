"""Keeps `ActivityFigures` current.

The records of a month may change until the 10th of the next month, then lock
(`conseillers.activity.models.edit_deadline`): so the beat task (`refresh_activity_figures`, every
few minutes) aggregates again only the days since the first of the previous month, then the
months that hold them, summed from their day rows (the records are read once, by the days). A
full rebuild runs each night, and after an import of history that bypasses the services (the
demo, the benchmark). Each refresh replaces its rows in one transaction, serialised
by an advisory lock: two runs at once (the beat and a first reading) never interleave, and running
one twice writes the same rows (idempotent).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable

from django.db import connection, transaction
from django.db.models import Max, Min

from conseillers.activity.models import Activity

from . import sql
from .models import ActivityFigures, FiguresRefresh, Grain

# pg_advisory_xact_lock key: "ACTF" in ASCII.
LOCK_KEY = 0x41435446
FIGURES = ActivityFigures._meta.db_table
BUCKETS = {Grain.DAY: "a.date", Grain.MONTH: "date_trunc('month', a.date)::date"}


def open_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days whose records may still change: from the first of the previous month."""
    previous = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return previous, today


def figures_refresh(
    *,
    start: datetime.date,
    end: datetime.date,
    now: datetime.datetime,
    departement_ids: Collection[str] | None = None,
) -> None:
    """Aggregates again the days `start`..`end` and the whole months that hold them (of the given
    départements, or all)."""
    if connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) sums the records when it reads them

    month_start = start.replace(day=1)
    month_end = (end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    month_end -= datetime.timedelta(days=1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        _delete(cursor, Grain.DAY, start, end, departement_ids)
        _insert(cursor, Grain.DAY, start, end, departement_ids)
        _delete(cursor, Grain.MONTH, month_start, month_end, departement_ids)
        _months_from_days(cursor, month_start, month_end, departement_ids)
        _stamp(now, full=False)


def figures_rebuild(*, now: datetime.datetime) -> None:
    """Every row aggregated again from every record (nightly, and after a bulk load)."""
    if connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) sums the records when it reads them

    bounds = Activity.objects.aggregate(first=Min("date"), last=Max("date"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # Tens of millions of records grouped by département and day: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DELETE FROM {FIGURES}")  # noqa: S608 (table name from the model)
        if bounds["first"] is not None:
            _insert(cursor, Grain.DAY, bounds["first"], bounds["last"], None)
            _months_from_days(cursor, bounds["first"].replace(day=1), bounds["last"], None)
        _stamp(now, full=True)


def figures_refresh_activities(activities: Iterable[Activity], *, now: datetime.datetime) -> None:
    """For a write path that wants its records counted at once rather than at the next beat
    run: aggregates again the days of the given records, in their départements only."""
    if connection.vendor != "postgresql":
        return  # SQLite (the embedded demo) sums the records when it reads them

    days: dict[str, list[datetime.date]] = {}
    for activity in activities:
        days.setdefault(activity.departement_id, []).append(activity.date)
    for code, dates in sorted(days.items()):
        figures_refresh(start=min(dates), end=max(dates), now=now, departement_ids=[code])


def _delete(cursor, grain: str, first, last, departement_ids) -> None:
    where, params = _where("period_start", first, last, departement_ids, prefix="")
    cursor.execute(
        f"DELETE FROM {FIGURES} WHERE grain = %s AND {where}",  # noqa: S608
        [grain, *params],
    )


def _merged(column: str) -> str:
    """The JSON objects of a group's day rows summed key by key (the outer aggregate
    `array_agg` is evaluated per group, then unnested by the subquery)."""
    each = f"unnest(array_agg(d.{column})) AS j, jsonb_each_text(j) AS e"
    summed = f"SELECT e.key, sum(e.value::bigint) AS n FROM {each} GROUP BY 1"  # noqa: S608
    return f"(SELECT coalesce(jsonb_object_agg(key, n), '{{}}'::jsonb) FROM ({summed}) AS x)"  # noqa: S608


def _months_from_days(cursor, first, last, departement_ids) -> None:
    """The month rows summed from the day rows: the records are read once, by the days."""
    where, params = _where("period_start", first, last, departement_ids, prefix="d.")
    sums = ", ".join(f"sum(d.{name})" for name in sql.COLUMNS[:-2])
    merged = ", ".join(_merged(name) for name in ("by_place", "by_autonomy", "by_theme"))
    cursor.execute(
        f"""
        INSERT INTO {FIGURES} (departement_id, grain, period_start, {", ".join(sql.COLUMNS)},
                               by_theme)
        SELECT d.departement_id, %s, date_trunc('month', d.period_start)::date, {sums}, {merged}
        FROM {FIGURES} d WHERE d.grain = %s AND {where} GROUP BY 1, 3
        """,  # noqa: S608 (names from the code; every value is a parameter)
        [Grain.MONTH, Grain.DAY, *params],
    )


def _where(column: str, first, last, departement_ids, *, prefix: str = "a.") -> tuple[str, list]:
    where = f"{prefix}{column} BETWEEN %s AND %s"
    params: list = [first, last]
    if departement_ids is not None:
        where += f" AND {prefix}departement_id = ANY(%s)"
        params.append(list(departement_ids))
    return where, params


def _insert(cursor, grain: str, first, last, departement_ids) -> None:
    bucket = BUCKETS[Grain(grain)]
    where, params = _where("date", first, last, departement_ids)
    columns, column_params = sql.columns()
    themes = sql.theme_counts(["a.departement_id", bucket], where)
    names = ", ".join(sql.COLUMNS)
    statement = f"""
        INSERT INTO {FIGURES} (departement_id, grain, period_start, {names}, by_theme)
        SELECT c.departement_id, %s, c.bucket, {", ".join(f"c.{n}" for n in sql.COLUMNS)},
               coalesce(t.by_theme, '{{}}'::jsonb)
        FROM (
            SELECT a.departement_id, {bucket} AS bucket, {columns}
            FROM {sql.ACTIVITY} a WHERE {where} GROUP BY 1, 2
        ) AS c ({", ".join(["departement_id", "bucket", *sql.COLUMNS])})
        LEFT JOIN (
            SELECT departement_id, bucket, jsonb_object_agg(code, n) AS by_theme
            FROM ({themes}) AS x (departement_id, bucket, code, n) GROUP BY 1, 2
        ) AS t ON t.departement_id = c.departement_id AND t.bucket = c.bucket
    """  # noqa: S608 (names and expressions from the code; every value is a parameter)
    cursor.execute(statement, [grain, *column_params, *params, *params])


def _stamp(now: datetime.datetime, *, full: bool) -> None:
    values = {"refreshed_at": now} | ({"full_at": now} if full else {})
    updated = FiguresRefresh.objects.filter(pk=1).update(**values)
    if not updated:
        FiguresRefresh.objects.get_or_create(pk=1, defaults={"refreshed_at": now, "full_at": now})
