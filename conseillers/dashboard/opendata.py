"""The open-data export of the distribution of posts, per département, with its published schema.

The schema is a Table Schema (frictionless data specification), the format data.gouv.fr and
schema.data.gouv.fr read. Field names are part of the contract with re-users: a change of name,
type or meaning is a new major version, an added field a new minor version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .figures import TerritoryRow

SCHEMA_VERSION = "1.1.0"

FIELDS: tuple[dict[str, Any], ...] = (
    {
        "name": "code_departement",
        "type": "string",
        "title": "Code du département",
        "description": "Code INSEE du département ou de la collectivité d'outre-mer.",
        "example": "37",
        "constraints": {"required": True, "unique": True, "pattern": "^([0-9]{2,3}|2A|2B)$"},
    },
    {
        "name": "nom_departement",
        "type": "string",
        "title": "Nom du département",
        "description": "Nom officiel du département.",
        "example": "Indre-et-Loire",
        "constraints": {"required": True},
    },
    {
        "name": "code_region",
        "type": "string",
        "title": "Code de la région",
        "description": "Code INSEE de la région (ou de la collectivité d'outre-mer).",
        "example": "24",
        "constraints": {"required": True},
    },
    {
        "name": "nom_region",
        "type": "string",
        "title": "Nom de la région",
        "description": "Nom officiel de la région.",
        "example": "Centre-Val de Loire",
        "constraints": {"required": True},
    },
    {
        "name": "population",
        "type": "integer",
        "title": "Population légale",
        "description": "Somme des populations légales des communes du département.",
        "example": 619362,
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "enveloppe",
        "type": "integer",
        "title": "Enveloppe de postes",
        "description": "Nombre de postes de l'enveloppe départementale (accord préalable) en "
        "vigueur. Vide lorsque aucune enveloppe n'est fixée.",
        "example": 35,
        "constraints": {"required": False, "minimum": 0},
    },
    {
        "name": "postes_accordes",
        "type": "integer",
        "title": "Postes accordés",
        "description": "Somme des quotas en vigueur des candidatures validées des structures du "
        "département (dernière décision positive du comité de sélection).",
        "example": 31,
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "postes_occupes",
        "type": "integer",
        "title": "Postes occupés",
        "description": "Conseillers numériques en poste : recrutements saisis, validés ou en "
        "rupture déclarée.",
        "example": 27,
        "constraints": {"required": True, "minimum": 0},
    },
    # 1.1.0: the coordinator posts, within the two counts above.
    {
        "name": "postes_coordinateur_accordes",
        "type": "integer",
        "title": "Dont postes de coordinateur accordés",
        "description": "Parmi les postes accordés, ceux de conseillers numériques coordinateurs.",
        "example": 2,
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "postes_coordinateur_occupes",
        "type": "integer",
        "title": "Dont postes de coordinateur occupés",
        "description": "Parmi les postes occupés, ceux où un conseiller numérique coordinateur "
        "est en poste.",
        "example": 1,
        "constraints": {"required": True, "minimum": 0},
    },
)
FIELD_NAMES = tuple(field["name"] for field in FIELDS)


def table_schema(*, resources: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The schema, with the (title, absolute URL) of each file that follows it."""
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "repartition-postes-conseillers-numeriques",
        "title": "Répartition des postes de conseillers numériques France Services par département",
        "description": "Pour chaque département : population, enveloppe de postes en vigueur, "
        "postes accordés aux structures et postes occupés par des conseillers numériques. "
        "Fichier CSV encodé en UTF-8, séparateur virgule, une ligne d'en-tête portant le nom "
        "des champs ; une valeur absente est une cellule vide (null en JSON).",
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
        "primaryKey": "code_departement",
        "missingValues": [""],
    }


def record(row: TerritoryRow) -> dict[str, Any]:
    """A département row as published: the keys and order of `FIELDS`."""
    counts = row.counts
    return {
        "code_departement": row.code,
        "nom_departement": row.name,
        "code_region": row.region_code,
        "nom_region": row.region_name,
        "population": counts.population,
        "enveloppe": counts.envelope,
        "postes_accordes": counts.granted,
        "postes_occupes": counts.occupied,
        "postes_coordinateur_accordes": counts.coordinator_granted,
        "postes_coordinateur_occupes": counts.coordinator_occupied,
    }
