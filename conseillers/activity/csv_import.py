"""The CSV import of a conseiller's records: parsed row by row, written all or nothing.

Each error names its line (the header is line 1) and its column, in French; a file with one
error writes nothing, so a corrected file can be imported again without duplicates.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from conseillers.activity import services
from conseillers.activity.models import (
    AGE_FIELDS,
    STATUS_FIELDS,
    Activity,
    ActivityKind,
    Autonomy,
    Equipment,
    PlaceKind,
    Theme,
)
from conseillers.activity.services import BULK_MAX, EntriesInvalid, Entry
from conseillers.models import Match
from core.models import User
from lieux.models import Lieu

MAX_BYTES = 2 * 1024 * 1024

# Column of the file → field of the record, in the order of the template file.
COLUMNS: dict[str, str] = {
    "date": "date",
    "type": "kind",
    "duree_minutes": "duration_minutes",
    "lieu": "place_kind",
    "id_lieu": "lieu",
    "nom_lieu": "place_label",
    "commune_insee": "commune_insee",
    "themes": "themes",
    "autonomie": "autonomy",
    "reorientation": "redirected",
    "structure_reorientation": "redirected_to",
    "materiel": "equipment",
    "participants": "participants",
    "age_moins_12": "age_under_12",
    "age_12_18": "age_12_18",
    "age_18_35": "age_18_35",
    "age_35_60": "age_35_60",
    "age_plus_60": "age_over_60",
    "statut_scolarise": "status_in_school",
    "statut_sans_emploi": "status_unemployed",
    "statut_en_emploi": "status_employed",
    "statut_retraite": "status_retired",
    "statut_non_communique": "status_unknown",
}
FIELD_COLUMNS = {field: column for column, field in COLUMNS.items()}
# The errors on a sum point at the first column of its group.
FIELD_COLUMNS["ages"] = "age_moins_12"
FIELD_COLUMNS["statuses"] = "statut_scolarise"
REQUIRED = ("date", "type", "duree_minutes", "themes")
EXAMPLE = {
    "date": "02/03/2026",
    "type": "individuel",
    "duree_minutes": "45",
    "lieu": "lieu_activite",
    "nom_lieu": "Médiathèque",
    "commune_insee": "37261",
    "themes": "courriel,securite",
    "autonomie": "partiellement_autonome",
    "reorientation": "non",
    "materiel": "telephone",
    "age_35_60": "1",
    "statut_en_emploi": "1",
}
YES = {"oui", "o", "1", "vrai", "true"}
NO = {"non", "n", "0", "faux", "false", ""}


@dataclass(frozen=True)
class ImportError_:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


class ImportInvalid(Exception):
    def __init__(self, errors: list[ImportError_]) -> None:
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return out.getvalue()


def activities_import(*, match: Match, file: IO[bytes], by: User) -> list[Activity]:
    """Reads the file and writes every row or none; raises ImportInvalid with every error."""
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportInvalid([ImportError_(0, "", "Le fichier dépasse 2 Mo : découpez-le.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportInvalid(
            [ImportError_(0, "", "Le fichier n'est pas encodé en UTF-8 : enregistrez-le en UTF-8.")]
        ) from None
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = [name.strip() for name in reader.fieldnames or []]
    if len(header) == 1 and "," in header[0]:
        raise ImportInvalid(
            [ImportError_(1, "", "Les colonnes doivent être séparées par des points-virgules.")]
        )
    if missing := [name for name in REQUIRED if name not in header]:
        raise ImportInvalid(
            [ImportError_(1, name, "Colonne obligatoire absente de l'en-tête.") for name in missing]
        )
    if unknown := [name for name in header if name not in COLUMNS]:
        raise ImportInvalid(
            [
                ImportError_(1, name, "Colonne inconnue (voir le fichier modèle).")
                for name in unknown
            ]
        )
    reader.fieldnames = header
    themes = {theme.code: theme for theme in Theme.objects.all()}
    lieux = {
        str(lieu.pk): lieu
        for lieu in Lieu.objects.filter(structure_id=match.structure_id).select_related("commune")
    }
    entries: list[Entry] = []
    lines: list[int] = []
    errors: list[ImportError_] = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more cells than the header has columns
            errors.append(
                ImportError_(line, "", "Plus de cellules que de colonnes dans l'en-tête.")
            )
            continue
        if not any((value or "").strip() for value in row.values()):
            continue
        if len(entries) >= BULK_MAX:
            raise ImportInvalid(
                [ImportError_(line, "", f"Au plus {BULK_MAX} lignes par fichier : découpez-le.")]
            )
        fields, row_themes, row_errors = parse_row(row, themes, lieux)
        if row_errors:
            errors += [ImportError_(line, column, message) for column, message in row_errors]
            continue
        entries.append(Entry(match, fields, row_themes))
        lines.append(line)
    if not entries and not errors:
        raise ImportInvalid([ImportError_(2, "", "Le fichier ne contient aucune ligne.")])
    # The rules of the rows that could be read, so one pass reports every error of the file.
    _, found = services.validate_entries(entries, by=by)
    errors += [ImportError_(lines[e.row], FIELD_COLUMNS.get(e.field, ""), e.message) for e in found]
    if errors:
        raise ImportInvalid(sorted(errors, key=lambda error: error.line))
    try:
        return services.activities_record(entries=entries, by=by)
    except EntriesInvalid as invalid:  # only a right lost in between: the same report
        raise ImportInvalid(
            [
                ImportError_(lines[e.row], FIELD_COLUMNS.get(e.field, ""), e.message)
                for e in invalid.errors
            ]
        ) from None


def parse_row(
    row: dict[str, Any], themes: dict[str, Theme], lieux: dict[str, Lieu]
) -> tuple[dict[str, Any], list[Theme], list[tuple[str, str]]]:
    """Types one row: its fields, its themes, and (column, message) for what cannot be read."""
    value = {column: (row.get(column) or "").strip() for column in COLUMNS}
    errors: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}

    def choice(column: str, allowed: Iterable[str], default: str = "") -> str:
        text = value[column] or default
        if text and text not in allowed:
            errors.append(
                (column, f"« {text} » n'est pas une valeur possible ({', '.join(allowed)}).")
            )
        return text

    fields["date"] = _date(value["date"], errors)
    fields["kind"] = choice("type", ActivityKind.values)
    if not value["type"]:
        errors.append(("type", "Indiquez « individuel » ou « collectif »."))
    fields["duration_minutes"] = _integer("duree_minutes", value["duree_minutes"], errors, None)
    fields["place_kind"] = choice("lieu", PlaceKind.values, PlaceKind.PLACE)
    fields["lieu"] = lieux.get(value["id_lieu"])
    if value["id_lieu"] and fields["lieu"] is None:
        errors.append(
            ("id_lieu", f"« {value['id_lieu']} » n'est pas le numéro d'un lieu de la structure.")
        )
    fields["place_label"] = value["nom_lieu"]
    fields["commune_insee"] = value["commune_insee"]
    fields["autonomy"] = choice("autonomie", Autonomy.values)
    redirected = value["reorientation"].lower()
    if redirected not in YES | NO:
        errors.append(("reorientation", "Indiquez « oui » ou « non »."))
    fields["redirected"] = redirected in YES
    fields["redirected_to"] = value["structure_reorientation"]
    equipment = [code.strip() for code in value["materiel"].split(",") if code.strip()]
    for code in equipment:
        choice_error = code not in Equipment.values
        if choice_error:
            errors.append(
                (
                    "materiel",
                    f"« {code} » n'est pas un matériel connu ({', '.join(Equipment.values)}).",
                )
            )
    fields["equipment"] = equipment
    individual = fields["kind"] == ActivityKind.INDIVIDUAL
    fields["participants"] = _integer(
        "participants", value["participants"], errors, 1 if individual else None
    )
    for column, name in COLUMNS.items():
        if name in AGE_FIELDS or name in STATUS_FIELDS:
            fields[name] = _integer(column, value[column], errors, 0)
    codes = [code.strip() for code in value["themes"].split(",") if code.strip()]
    unknown = [code for code in codes if code not in themes]
    if unknown:
        errors.append(
            ("themes", f"Thème inconnu : {', '.join(unknown)} (voir la liste des codes).")
        )
    return fields, [themes[code] for code in codes if code in themes], errors


def _date(text: str, errors: list[tuple[str, str]]) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors.append(("date", f"« {text} » n'est pas une date (JJ/MM/AAAA)."))
    return None


def _integer(
    column: str, text: str, errors: list[tuple[str, str]], default: int | None
) -> int | None:
    if not text:
        if default is None:
            errors.append((column, "Valeur obligatoire."))
        return default
    try:
        number = int(text)
    except ValueError:
        errors.append((column, f"« {text} » n'est pas un nombre entier."))
        return default
    if number < 0:
        errors.append((column, "Le nombre ne peut pas être négatif."))
    return number
