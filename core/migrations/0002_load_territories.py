"""Loads the régions, départements and COM of the programme from core/data/departements.csv.

Source: the legal populations of the Etalab « découpage administratif » dataset (Licence Ouverte),
as gathered in the project's shared domain reference.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "departements.csv"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Departement = apps.get_model("core", "Departement")
    with CSV_PATH.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Region.objects.update_or_create(code=row["code_region"], defaults={"name": row["nom_region"]})
    for row in rows:
        Departement.objects.update_or_create(
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


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
