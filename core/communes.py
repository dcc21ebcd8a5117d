"""Loads the communes referential from core/data/communes.csv.gz (see communes.SOURCE.md).

Idempotent: each run upserts every commune and old code by INSEE code, so a newer file updates
names, postal codes, populations and positions in place; rows that vanished from the file are
kept (structures and candidates may point at them).
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import transaction

from core.models import Commune, CommuneOldCode, Departement, search_key

CSV_PATH = Path(__file__).resolve().parent / "data" / "communes.csv.gz"
BATCH_SIZE = 2000

Progress = Callable[[int, int], None]


def read_rows(path: Path = CSV_PATH) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _float(value: str) -> float | None:
    return float(value) if value else None


def _communes(rows: Iterable[dict[str, str]]) -> list[Commune]:
    return [
        Commune(
            code=row["code"],
            name=row["nom"],
            search_name=search_key(row["nom"]),
            departement_id=row["departement"],
            postal_codes=row["codes_postaux"],
            population=int(row["population"]) if row["population"] else None,
            latitude=_float(row["lat"]),
            longitude=_float(row["lon"]),
        )
        for row in rows
    ]


def load_communes(
    *,
    departements: Iterable[str] | None = None,
    path: Path = CSV_PATH,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Upserts the communes (of `departements` only, when given) and their old codes.

    Returns (communes, old codes) written. `progress(done, total)` is called after each batch.
    """
    # Territories outside the programme (the TAAF) have no département row: their communes are
    # left out rather than given a département they do not belong to.
    wanted = set(Departement.objects.values_list("code", flat=True))
    if departements is not None:
        wanted &= set(departements)
    rows = [r for r in read_rows(path) if r["departement"] in wanted]
    current = [r for r in rows if not r["actuelle"]]
    known = {r["code"] for r in current}
    # An old code is kept only when its current commune is loaded with it (the same département,
    # or one loaded earlier).
    old = [r for r in rows if r["actuelle"]]
    total = len(current) + len(old)
    done = 0
    with transaction.atomic():
        for start in range(0, len(current), BATCH_SIZE):
            batch = _communes(current[start : start + BATCH_SIZE])
            Commune.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=[
                    "name",
                    "search_name",
                    "departement",
                    "postal_codes",
                    "population",
                    "latitude",
                    "longitude",
                ],
            )
            done += len(batch)
            if progress:
                progress(done, total)
        if departements is not None:
            known |= set(
                Commune.objects.filter(code__in={r["actuelle"] for r in old} - known).values_list(
                    "code", flat=True
                )
            )
        old_codes = [
            CommuneOldCode(code=r["code"], name=r["nom"], commune_id=r["actuelle"])
            for r in old
            if r["actuelle"] in known
        ]
        CommuneOldCode.objects.bulk_create(
            old_codes,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "commune"],
        )
        if progress:
            progress(total, total)
    return len(current), len(old_codes)
