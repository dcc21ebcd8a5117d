"""Places in the national « schéma des lieux de médiation numérique » (ANCT).

The schema (lieux/schema/lieux-de-mediation-numerique.schema.json) is derived from the npm
package @gouvfr-anct/lieux-de-mediation-numerique, which documents and validates the standard:
optional fields are left out when empty, multi-valued fields are values joined by « | ».
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from lieux.models import Lieu

SCHEMA_PATH = (
    Path(__file__).resolve().parent / "schema" / "lieux-de-mediation-numerique.schema.json"
)
SOURCE = "Inclusion numérique (ANCT)"
# The producer's prefix of the places' identifiers: unique across the national aggregation.
ID_PREFIX = "inclusion-numerique-lieu-"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def columns() -> list[str]:
    return list(schema()["properties"])


def _phone(raw: str) -> str:
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    return digits if re.fullmatch(r"\+?\d{6,15}", digits) else ""


def _pivot(siret: str) -> str:
    # The schema's pivot is a SIRET (or an RNA number); a RIDET of New Caledonia is neither.
    return siret if re.fullmatch(r"\d{14}", siret) else "0" * 14


def record(lieu: Lieu) -> dict[str, Any]:
    """The place as one object of the schema (programmes read from `with_programmes`)."""
    point = lieu.point
    values: dict[str, Any] = {
        "id": f"{ID_PREFIX}{lieu.pk}",
        "nom": lieu.name,
        "pivot": _pivot(lieu.structure.siret),
        "services": "|".join(lieu.services),
        "structure_parente": lieu.structure.name,
        "commune": lieu.commune.name,
        "code_postal": lieu.postal_code,
        "code_insee": lieu.commune.code,
        "adresse": lieu.address,
        "complement_adresse": lieu.address_complement,
        "latitude": round(point[0], 6) if point else None,
        "longitude": round(point[1], 6) if point else None,
        "telephone": _phone(lieu.phone),
        "courriels": lieu.email,
        "site_web": lieu.website,
        "presentation_resume": lieu.presentation,
        "publics_specifiquement_adresses": "|".join(lieu.publics),
        "prise_en_charge_specifique": "|".join(lieu.accessibility),
        "fiche_acces_libre": lieu.accessibility_url,
        "dispositif_programmes_nationaux": "|".join(lieu.programmes),
        "horaires": lieu.opening_hours,
        "date_maj": lieu.updated_at.date().isoformat(),
        "source": SOURCE,
    }
    return {key: value for key, value in values.items() if value not in ("", None)}


def csv_row(lieu: Lieu) -> list[str]:
    values = record(lieu)
    return ["" if values.get(name) is None else str(values[name]) for name in columns()]
