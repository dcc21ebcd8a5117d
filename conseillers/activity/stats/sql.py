"""The one aggregation of activity records, as SQL: the refresh stores it per département and day
or month, the statistics of a structure or a conseiller run it live. The same columns both ways,
so a figure means the same whatever the scale."""

from __future__ import annotations

from conseillers.activity.models import Activity, ActivityKind, Autonomy, PlaceKind, Theme

ACTIVITY = Activity._meta.db_table
THEMES = Activity.themes.through._meta.db_table
THEME = Theme._meta.db_table

# Every output column of `columns()`, in order.
COUNT_COLUMNS = ("activities", "individual", "collective", "people", "duration_minutes")
COLUMNS = (*COUNT_COLUMNS, "redirected", "by_place", "by_autonomy")


def _distribution(column: str, values: list[str]) -> tuple[str, list[str]]:
    """A JSON object {value: number of records}, without the values that have none."""
    pairs = ", ".join(f"%s, nullif(count(*) FILTER (WHERE a.{column} = %s), 0)" for _ in values)
    params = [item for value in values for item in (value, value)]
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))", params


def columns() -> tuple[str, list[str]]:
    """The aggregate columns over records aliased `a`, with their parameters."""
    places, place_params = _distribution("place_kind", list(PlaceKind.values))
    autonomy, autonomy_params = _distribution("autonomy", list(Autonomy.values))
    sql = (
        "count(*), count(*) FILTER (WHERE a.kind = %s), count(*) FILTER (WHERE a.kind = %s), "
        "coalesce(sum(a.participants), 0), coalesce(sum(a.duration_minutes), 0), "
        f"count(*) FILTER (WHERE a.redirected), {places}, {autonomy}"
    )
    return sql, [ActivityKind.INDIVIDUAL, ActivityKind.COLLECTIVE, *place_params, *autonomy_params]


def theme_counts(keys: list[str], where: str) -> str:
    """Records per theme code, grouped by `keys` (expressions over `a`), as (keys…, code, n)."""
    group = ", ".join(str(n) for n in range(1, len(keys) + 2))
    joins = f"JOIN {THEMES} at ON at.activity_id = a.id JOIN {THEME} th ON th.id = at.theme_id"
    selected = ", ".join([*keys, "th.code", "count(*)"])
    # Table names and expressions come from the code; every value is a parameter.
    return f"SELECT {selected} FROM {ACTIVITY} a {joins} WHERE {where} GROUP BY {group}"  # noqa: S608
