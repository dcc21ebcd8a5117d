"""Keyed seals for the Aidants Connect journal, and TRUNCATE refused.

The entries already written keep their unkeyed SHA-256 (the journal is append-only: nothing here
rewrites them). The cut-over records the last of them: `verify_journal` accepts an unkeyed seal up
to it, never after. The journal's own triggers (0002) give way to the generic guard of
core.append_only, which also refuses TRUNCATE; SQLite loses them anyway when AddField rebuilds the
table.
"""

from importlib import import_module

from django.db import migrations, models

import core.append_only

# Backwards, the journal gets its former triggers back.
_0002 = import_module("mandats.migrations.0002_journal_append_only")

JOURNAL_MESSAGE = "Le journal Aidants Connect est en ajout seul"
CUTOVER_MESSAGE = "La bascule des sceaux du journal est en ajout seul"


def drop_journal_own_triggers(apps, schema_editor) -> None:
    on_table = " ON mandats_journalentry" if schema_editor.connection.vendor == "postgresql" else ""
    for name in ("mandats_journal_no_update", "mandats_journal_no_delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}", params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS mandats_journal_refuse_change()", params=None)


def record_cutover(apps, schema_editor) -> None:
    JournalEntry = apps.get_model("mandats", "JournalEntry")
    JournalSealCutover = apps.get_model("mandats", "JournalSealCutover")
    last = JournalEntry.objects.aggregate(last=models.Max("sequence"))["last"] or 0
    JournalSealCutover.objects.create(last_legacy_sequence=last)


class Migration(migrations.Migration):
    dependencies = [("mandats", "0003_habilitationtransition_transitionlog")]

    operations = [
        migrations.RunPython(drop_journal_own_triggers, _0002.create_triggers, elidable=False),
        migrations.CreateModel(
            name="JournalSealCutover",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_legacy_sequence", models.PositiveBigIntegerField(verbose_name="dernier numéro scellé sans clé")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="enregistrée le")),
            ],
            options={
                "verbose_name": "bascule des sceaux du journal",
                "verbose_name_plural": "bascules des sceaux du journal",
            },
        ),
        migrations.AddField(
            model_name="journalentry",
            name="seal_key_id",
            field=models.CharField(blank=True, editable=False, max_length=32, verbose_name="clé de scellement"),
        ),
        migrations.RunPython(record_cutover, migrations.RunPython.noop, elidable=False),
        core.append_only.AppendOnly(model_name="journalentry", message=JOURNAL_MESSAGE, refuse_truncate=True),
        core.append_only.AppendOnly(model_name="journalsealcutover", message=CUTOVER_MESSAGE, refuse_truncate=True),
    ]
