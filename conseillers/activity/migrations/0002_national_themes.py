from django.db import migrations

from conseillers.activity.themes import ensure_national_themes


def load(apps, schema_editor):
    ensure_national_themes(apps.get_model("activity", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
