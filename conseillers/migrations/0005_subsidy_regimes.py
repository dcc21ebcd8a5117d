from django.db import migrations

from conseillers.subsidy.regimes import ensure_regimes


def load(apps, schema_editor):
    ensure_regimes(
        apps.get_model("conseillers", "Regime"), apps.get_model("conseillers", "RegimeTranche")
    )


class Migration(migrations.Migration):
    dependencies = [("conseillers", "0004_subsidy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
