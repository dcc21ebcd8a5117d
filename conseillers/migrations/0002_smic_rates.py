"""The SMIC rates known when the table was created; ANCT adds the next ones in the admin."""

import datetime
from decimal import Decimal

from django.db import migrations

RATES = [
    (datetime.date(2023, 1, 1), Decimal("11.27")),
    (datetime.date(2023, 5, 1), Decimal("11.52")),
    (datetime.date(2024, 1, 1), Decimal("11.65")),
    (datetime.date(2024, 11, 1), Decimal("11.88")),
]


def load(apps, schema_editor):
    SmicRate = apps.get_model("conseillers", "SmicRate")
    for valid_from, hourly in RATES:
        SmicRate.objects.get_or_create(valid_from=valid_from, defaults={"hourly_gross": hourly})


class Migration(migrations.Migration):
    dependencies = [("conseillers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
