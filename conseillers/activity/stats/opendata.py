"""The open data of the activity: per département and closed month, with its Table Schema.

A cell (a département in a month) with fewer than `SECRET_THRESHOLD` comptes rendus is published
without figures and marked `secret_statistique`: a few records of a small département could
otherwise point at one conseiller's working days. No total is published beside the cells, so a
hidden cell cannot be recovered by difference. Only closed months are published (their records
locked on the 10th of the next month), so a published figure never changes.

Field names are a contract with re-users: a change of name, type or meaning is a new major
version of the schema, an added field a new minor version.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from conseillers.activity.models import EDIT_UNTIL_DAY_OF_NEXT_MONTH, Autonomy, PlaceKind
from core.models import Departement

from .models import ActivityFigures, Grain

SCHEMA_VERSION = "1.0.0"
SECRET_THRESHOLD = 10
NAME = "activite-conseillers-numeriques-par-departement"

_PLACE_FIELDS = {
    PlaceKind.PLACE: "lieu_activite",
    PlaceKind.REMOTE: "a_distance",
    PlaceKind.HOME: "domicile",
    PlaceKind.OTHER: "autre_lieu",
}
_AUTONOMY_FIELDS = {
    Autonomy.ACCOMPANIED: "autonomie_accompagne",
    Autonomy.PARTLY: "autonomie_partielle",
    Autonomy.AUTONOMOUS: "autonomie_autonome",
}


def _text(name, title, description, example, **constraints) -> dict[str, Any]:
    return {
        "name": name,
        "type": "string",
        "title": title,
        "description": description,
        "example": example,
        "constraints": {"required": True, **constraints},
    }


def _count(name, title, description, example) -> dict[str, Any]:
    return {
        "name": name,
        "type": "integer",
        "title": title,
        "description": description + " Vide lorsque la cellule relève du secret statistique.",
        "example": example,
        "constraints": {"required": False, "minimum": 0},
    }


FIELDS: tuple[dict[str, Any], ...] = (
    _text(
        "code_departement",
        "Code du département",
        "Code INSEE du département ou de la collectivité d'outre-mer.",
        "37",
        pattern="^([0-9]{2,3}|2A|2B)$",
    ),
    _text(
        "nom_departement", "Nom du département", "Nom officiel du département.", "Indre-et-Loire"
    ),
    _text("code_region", "Code de la région", "Code INSEE de la région.", "24"),
    {
        "name": "mois",
        "type": "yearmonth",
        "title": "Mois",
        "description": "Mois des accompagnements (AAAA-MM), mois clos seulement.",
        "example": "2026-03",
        "constraints": {"required": True},
    },
    {
        "name": "secret_statistique",
        "type": "boolean",
        "title": "Secret statistique",
        "description": f"Vrai lorsque le département compte moins de {SECRET_THRESHOLD} comptes "
        "rendus ce mois-là : les chiffres de la ligne ne sont alors pas publiés.",
        "example": False,
        "constraints": {"required": True},
    },
    _count(
        "accompagnements",
        "Accompagnements",
        "Comptes rendus d'activité du mois : accompagnements individuels et ateliers collectifs.",
        412,
    ),
    _count(
        "accompagnements_individuels",
        "Accompagnements individuels",
        "Accompagnements individuels.",
        377,
    ),
    _count("ateliers_collectifs", "Ateliers collectifs", "Ateliers collectifs.", 35),
    _count(
        "personnes_accompagnees",
        "Personnes accompagnées",
        "Une par accompagnement individuel, les participants de chaque atelier.",
        671,
    ),
    _count(
        "duree_minutes", "Durée totale (minutes)", "Somme des durées des accompagnements.", 21840
    ),
    _count(
        "reorientations",
        "Réorientations",
        "Accompagnements suivis d'une réorientation vers une autre structure.",
        12,
    ),
    *(
        _count(
            name, f"Lieu : {kind.label}", f"Accompagnements dont le lieu est « {kind.label} ».", 0
        )
        for kind, name in _PLACE_FIELDS.items()
    ),
    *(
        _count(
            name,
            f"Autonomie : {level.label}",
            f"Accompagnements individuels d'une personne « {level.label.lower()} ».",
            0,
        )
        for level, name in _AUTONOMY_FIELDS.items()
    ),
)
FIELD_NAMES = tuple(field["name"] for field in FIELDS)


def table_schema(*, resources: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": NAME,
        "title": "Activité des conseillers numériques France Services par département et par mois",
        "description": "Pour chaque département et chaque mois clos : accompagnements "
        "individuels et ateliers collectifs déclarés dans les comptes rendus d'activité, personnes "
        "accompagnées, durée, types de lieu et autonomie des personnes. Un département qui compte "
        f"moins de {SECRET_THRESHOLD} comptes rendus un mois donné est couvert par le secret "
        "statistique : sa ligne est publiée sans chiffres. Fichier CSV encodé en UTF-8, "
        "séparateur virgule ; une valeur absente est une cellule vide (null en JSON).",
        "version": SCHEMA_VERSION,
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            }
        ],
        "resources": [{"title": title, "path": url} for title, url in resources],
        "fields": list(FIELDS),
        "primaryKey": ["code_departement", "mois"],
        "missingValues": [""],
    }


def last_closed_month(today: datetime.date) -> datetime.date:
    """The first day of the latest month whose records are locked."""
    month = today.replace(day=1) - datetime.timedelta(days=1)
    if today.day <= EDIT_UNTIL_DAY_OF_NEXT_MONTH:
        month = month.replace(day=1) - datetime.timedelta(days=1)
    return month.replace(day=1)


def records(today: datetime.date) -> list[dict[str, Any]]:
    """Every cell from the first month with records to the last closed one, by département then
    month, a cell without records included (marked secret like any cell under the threshold:
    a missing line would tell it is empty). Two queries."""
    departements = list(
        Departement.objects.order_by("code").values_list("code", "name", "region_id")
    )
    last = last_closed_month(today)
    rows = {
        (row["departement_id"], row["period_start"]): row
        for row in ActivityFigures.objects.filter(
            grain=Grain.MONTH, period_start__lte=last
        ).values()
    }
    months = _months(min((month for _, month in rows), default=None), last)
    return [
        _record(code, name, region, month, rows.get((code, month)))
        for code, name, region in departements
        for month in months
    ]


def _months(first: datetime.date | None, last: datetime.date) -> list[datetime.date]:
    months = []
    while first is not None and first <= last:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


def _record(code: str, name: str, region: str, month: datetime.date, row: Any) -> dict:
    secret = row is None or row["activities"] < SECRET_THRESHOLD
    figures: dict[str, int | None] = dict.fromkeys(FIELD_NAMES[5:])
    if row is not None and not secret:
        figures = {
            "accompagnements": row["activities"],
            "accompagnements_individuels": row["individual"],
            "ateliers_collectifs": row["collective"],
            "personnes_accompagnees": row["people"],
            "duree_minutes": row["duration_minutes"],
            "reorientations": row["redirected"],
            **{field: row["by_place"].get(kind, 0) for kind, field in _PLACE_FIELDS.items()},
            **{field: row["by_autonomy"].get(lvl, 0) for lvl, field in _AUTONOMY_FIELDS.items()},
        }
    return {
        "code_departement": code,
        "nom_departement": name,
        "code_region": region,
        "mois": f"{month:%Y-%m}",
        "secret_statistique": secret,
        **figures,
    }


def csv_lines(items: list[dict[str, Any]]) -> list[list[str]]:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return [list(FIELD_NAMES), *([cell(item[name]) for name in FIELD_NAMES] for item in items)]
