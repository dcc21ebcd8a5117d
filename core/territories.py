"""The régions, départements and COM of the programme, from core/data/departements.csv.

Source: legal populations of the Etalab « découpage administratif » dataset (Licence Ouverte).
Used by the data migration and by the demo command, which must work on an emptied database.
"""

import csv
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent / "data" / "departements.csv"


def load_territories(region_model, departement_model) -> int:
    """Creates or updates every région and département; returns the number of départements."""
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        region_model.objects.update_or_create(
            code=row["code_region"], defaults={"name": row["nom_region"]}
        )
    for row in rows:
        departement_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["nom"],
                "region_id": row["code_region"],
                "zone": row["zone"],
                "chef_lieu_insee": row["chef_lieu_insee"],
                "population": int(row["population"]),
                "communes_count": int(row["communes"]),
            },
        )
    return len(rows)
