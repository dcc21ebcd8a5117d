from django.db import migrations

from conseillers.smic import ensure_known_rates


def load(apps, schema_editor):
    ensure_known_rates(apps.get_model("conseillers", "SmicRate"))


class Migration(migrations.Migration):
    dependencies = [("conseillers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
