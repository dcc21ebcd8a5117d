"""The régions, départements and COM of the programme, from core/data/departements.csv.

Source: legal populations of the Etalab « découpage administratif » dataset (Licence Ouverte).
Used by the data migration and by the demo command, which must work on an emptied database.
"""

import csv
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent / "data" / "departements.csv"


def load_territories(region_model, departement_model) -> int:
    """Creates or updates every région and département; returns the number of départements.
    Two statements, whatever is there already: every test that empties the database loads them
    again, and the demo on each start."""
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    regions = {row["code_region"]: row["nom_region"] for row in rows}
    region_model.objects.bulk_create(
        [region_model(code=code, name=name) for code, name in regions.items()],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    departement_model.objects.bulk_create(
        [
            departement_model(
                code=row["code"],
                name=row["nom"],
                region_id=row["code_region"],
                zone=row["zone"],
                chef_lieu_insee=row["chef_lieu_insee"],
                population=int(row["population"]),
                communes_count=int(row["communes"]),
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "region", "zone", "chef_lieu_insee", "population", "communes_count"],
    )
    return len(rows)
