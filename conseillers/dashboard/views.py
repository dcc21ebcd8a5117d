"""The territorial dashboard page and its exports (CSV of the table, open data)."""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from conseillers.abilities import PROGRAMME
from conseillers.beat import DASHBOARD_REFRESH_MINUTES
from core.http import AuthenticatedHttpRequest

from .access import DashboardScope, dashboard_scope
from .choropleth import INDICATORS, Choropleth, Indicator, choropleth, parse_indicator
from .columns import BY_KEY, COLUMNS, MISSING, columns_for, format_number
from .figures import Level, TerritoryRow
from .headlines import contributed
from .opendata import FIELD_NAMES, FIELDS, SCHEMA_VERSION, record, table_schema
from .selectors import Dashboard
from .snapshot import dashboard_figures, figures_refreshed_at
from .table import Sort, build_table, csv_records

ScopedView = Callable[..., HttpResponse]

# Excel in a French locale opens a CSV as Windows-1252 with ";" unless told otherwise by a BOM.
SPREADSHEET_BOM = "\ufeff"
LEVEL_NOUNS = {
    Level.DEPARTEMENT: "département",
    Level.REGION: "région",
    Level.NATIONAL: "périmètre",
}
OPENDATA_FILENAME = "repartition-postes-conseillers-numeriques"


def dashboard_view(view: ScopedView) -> Callable[..., HttpResponse]:
    """Anonymous people go to the login page; then only ANCT and préfecture agents get through."""

    @functools.wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, **kwargs: str) -> HttpResponse:
        scope = dashboard_scope(request.user)
        if not PROGRAMME.get_abilities(request.user)["dashboard_view"] or scope is None:
            raise PermissionDenied("Le tableau de bord est réservé à l'ANCT et aux préfectures.")
        return view(request, scope, **kwargs)

    return login_required(require_GET(wrapped))


def _figures(scope: DashboardScope) -> Dashboard:
    return dashboard_figures(
        departement_codes=scope.departement_codes, now=timezone.now(), nation_name=scope.total_name
    )


def _sort(request: HttpRequest) -> Sort:
    try:
        level = Level(request.GET.get("niveau", Level.DEPARTEMENT))
    except ValueError:
        level = Level.DEPARTEMENT
    return Sort.parse(level, request.GET.get("tri"), request.GET.get("ordre"))


@dashboard_view
def dashboard(request: HttpRequest, scope: DashboardScope) -> HttpResponse:
    sort = _sort(request)
    # Read only when the rendering of this refresh is not kept already (`cache_key`): on a kept
    # one, the page costs the refresh's date and the layout, not the figures' arithmetic. Never
    # refreshed yet: the first reading refreshes them, and names that refresh.
    refreshed_at = figures_refreshed_at(scope.departement_codes)
    if refreshed_at is None:
        figures = _figures(scope)
        refreshed_at = figures.computed_at
    else:
        figures = cast(Dashboard, SimpleLazyObject(lambda: _figures(scope)))
    indicator = parse_indicator(request.GET.get("indicateur"))
    where = "France entière" if scope.is_national else "votre territoire"
    caption = f"Postes de conseillers numériques par {LEVEL_NOUNS[sort.level]} — {where}"
    # Built only when the rendering is not kept already (`cache_key`): lazy.
    context = {
        "title": "Tableau de bord territorial",
        "scope": scope,
        "dashboard": figures,
        "summary": SimpleLazyObject(lambda: _summary(figures, scope)),
        "indices": SimpleLazyObject(lambda: _indices(figures)),
        "table": SimpleLazyObject(lambda: build_table(figures, sort, caption=caption)),
        # The table opens by itself once the reader has sorted it (its links point at it).
        "table_open": "tri" in request.GET,
        "levels": [
            {"label": lvl.label, "url": sort.query(niveau=lvl.value), "current": lvl == sort.level}
            for lvl in Level
        ],
        "map": SimpleLazyObject(lambda: _map(sort.level, figures, indicator)),
        "indicators": INDICATORS,
        "sort": sort,
        "csv_url": reverse("conseillers:dashboard-csv") + sort.query(),
        "definitions": [column for column in COLUMNS if not column.is_text],
        "opendata_fields": FIELDS,
        "schema_version": SCHEMA_VERSION,
        "cache_key": _rendering_key(request, scope, refreshed_at),
        "cache_seconds": 2 * 60 * DASHBOARD_REFRESH_MINUTES,
    }
    return render(request, "conseillers/dashboard/dashboard.html", context)


def _rendering_key(
    request: HttpRequest, scope: DashboardScope, refreshed_at: datetime.datetime
) -> str:
    """What the page's content depends on: the refresh, the scope and the parameters."""
    parameters = sorted((name, request.GET.getlist(name)) for name in request.GET)
    parts = [refreshed_at.isoformat(), sorted(scope.departement_codes or ["*"])]
    return hashlib.sha256(repr([*parts, scope.description, parameters]).encode()).hexdigest()


def _map(level: Level, figures: Dashboard, indicator: Indicator) -> Choropleth:
    """Départements at the département level; the régions (or the nation's régions) otherwise."""
    if level is Level.DEPARTEMENT:
        return choropleth(level, figures.departements, indicator, _territory_url)
    return choropleth(Level.REGION, figures.regions, indicator, _territory_url)


def _territory_url(row: TerritoryRow) -> str:
    name = "dashboard-departement" if row.level is Level.DEPARTEMENT else "dashboard-region"
    return reverse(f"conseillers:{name}", args=[row.code])


def _summary(figures: Dashboard, scope: DashboardScope) -> list[dict[str, str]]:
    """The figures a préfet or an ANCT agent asks first: posts, people in post, money."""
    total = figures.nation
    keys = ("accordes", "occupes", "vacants", "enveloppe", "en_attente", "pour_100k")
    items = [{"label": BY_KEY[key].label, "value": BY_KEY[key].display(total)} for key in keys]
    days = total.longest_wait_days
    items.append(
        {
            "label": "Attente la plus longue",
            "value": MISSING if days is None else f"{format_number(days)} jours",
        }
    )
    items.extend(contributed(scope.departement_codes))  # the subsidy's money figures
    return [item | {"value": item["value"] or MISSING} for item in items]


def _indices(figures: Dashboard) -> list[dict[str, str]]:
    return [
        {
            "label": label,
            "value": MISSING if index is None else f"{format_number(index * 100, 2)} %",
        }
        for label, index in (
            ("des postes accordés", figures.granted_index),
            ("des enveloppes", figures.envelope_index),
        )
    ]


def _territory(
    request: HttpRequest, scope: DashboardScope, level: Level, code: str
) -> HttpResponse:
    figures = _figures(scope)
    row = next((row for row in figures.rows(level) if row.code == code), None)
    if row is None:
        raise Http404("Ce territoire n'existe pas ou n'est pas dans votre périmètre.")
    columns = [column for column in columns_for(level) if not column.is_text]
    departements = (
        [d for d in figures.departements if d.region_code == code] if level is Level.REGION else []
    )
    context = {
        "title": row.name,
        "row": row,
        "computed_at": figures.computed_at,
        "level_noun": LEVEL_NOUNS[level],
        "figures": [{"label": c.label, "value": c.display(row) or MISSING} for c in columns],
        "departements": [{"name": d.name, "url": _territory_url(d)} for d in departements],
        "region_url": reverse("conseillers:dashboard-region", args=[row.region_code])
        if level is Level.DEPARTEMENT
        else "",
    }
    return render(request, "conseillers/dashboard/territory.html", context)


@dashboard_view
def departement(request: HttpRequest, scope: DashboardScope, code: str) -> HttpResponse:
    return _territory(request, scope, Level.DEPARTEMENT, code)


@dashboard_view
def region(request: HttpRequest, scope: DashboardScope, code: str) -> HttpResponse:
    return _territory(request, scope, Level.REGION, code)


@dashboard_view
def table_csv(request: HttpRequest, scope: DashboardScope) -> HttpResponse:
    sort = _sort(request)
    figures = _figures(scope)
    name = f"tableau-de-bord-conseillers-{sort.level.value}s-{figures.computed_at:%Y-%m-%d}.csv"
    return _csv_response(name, csv_records(figures, sort), delimiter=";", bom=True)


@dashboard_view
def opendata_csv(request: HttpRequest, scope: DashboardScope) -> HttpResponse:
    figures = _figures(scope)
    records = [record(row) for row in figures.departements]
    lines = [list(FIELD_NAMES)] + [
        ["" if value is None else str(value) for value in item.values()] for item in records
    ]
    return _csv_response(f"{OPENDATA_FILENAME}.csv", lines, delimiter=",")


@dashboard_view
def opendata_json(request: HttpRequest, scope: DashboardScope) -> JsonResponse:
    figures = _figures(scope)
    body = {
        "schema": request.build_absolute_uri(reverse("conseillers:dashboard-opendata-schema")),
        "version_schema": SCHEMA_VERSION,
        "perimetre": scope.total_name,
        "date_extraction": figures.computed_at.isoformat(),
        "departements": [record(row) for row in figures.departements],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'inline; filename="{OPENDATA_FILENAME}.json"'
    return response


@dashboard_view
def opendata_schema(request: HttpRequest, scope: DashboardScope) -> JsonResponse:
    resources = [
        ("Export CSV", request.build_absolute_uri(reverse("conseillers:dashboard-opendata-csv"))),
        (
            "Export JSON",
            request.build_absolute_uri(reverse("conseillers:dashboard-opendata-json")),
        ),
    ]
    return JsonResponse(
        table_schema(resources=resources),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _csv_response(
    filename: str, lines: Iterable[list[str]], *, delimiter: str, bom: bool = False
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if bom:
        response.write(SPREADSHEET_BOM)
    writer = csv.writer(response, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(lines)
    return response
