"""The subsidy journal takes the one transition-log shape (`core.transitions`): exactly one actor
per row (a person or a system task, as the services always wrote it) and the uniform append-only
guard of `core.append_only` in place of its own trigger from conseillers.0006_subsidy_triggers.
"""

from django.conf import settings
from django.db import migrations, models

import core.append_only

TABLE = "conseillers_subsidytransition"
OLD_TRIGGER = f"{TABLE}_append_only"
OLD_FUNCTION = f"{TABLE}_refuse_change"
OLD_MESSAGE = "Le journal des subventions est en ajout seul."
MESSAGE = "Le journal des subventions est en ajout seul"


def drop_the_old_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD_TRIGGER} ON {TABLE}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OLD_FUNCTION}()")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD_TRIGGER}")


def restore_the_old_trigger(apps, schema_editor) -> None:
    """As conseillers.0006_subsidy_triggers installed it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"""CREATE OR REPLACE FUNCTION {OLD_FUNCTION}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING MESSAGE = '{OLD_MESSAGE}', ERRCODE = 'restrict_violation';
            END;
            $$"""
        )
        schema_editor.execute(
            f"""CREATE TRIGGER {OLD_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {OLD_FUNCTION}()"""
        )
    else:
        schema_editor.execute(
            f"""CREATE TRIGGER {OLD_TRIGGER} BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{OLD_MESSAGE}'); END"""
        )


class Migration(migrations.Migration):

    dependencies = [
        ('subsidy', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_the_old_trigger, restore_the_old_trigger, elidable=False),
        migrations.RemoveConstraint(
            model_name='subsidytransition',
            name='subsidy_transition_has_an_actor',
        ),
        migrations.AlterField(
            model_name='subsidytransition',
            name='transition',
            field=models.CharField(max_length=50, verbose_name='transition'),
        ),
        migrations.AddConstraint(
            model_name='subsidytransition',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('by__isnull', False), ('system', '')), models.Q(('by__isnull', True), models.Q(('system', ''), _negated=True)), _connector='OR'), name='subsidy_subsidytransition_one_actor'),
        ),
        # Last: on SQLite each operation above rebuilds the table, which drops its triggers.
        core.append_only.AppendOnly(model_name="subsidytransition", message=MESSAGE),
    ]
