from django.db import migrations

from core.territories import load_territories


def load(apps, schema_editor):
    load_territories(apps.get_model("core", "Region"), apps.get_model("core", "Departement"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
