"""The aidant's search of an organisation's usagers reads one folded column (no accents, lower
case), filled here for the usagers already known; on PostgreSQL a trigram index (pg_trgm) serves
its `LIKE '%…%'`. SQLite (the demo) gets the column and no index: the operation checks the vendor."""

import unicodedata

from django.db import migrations, models

TRIGRAM_INDEX = "usager_search_name_trgm"


def _fold(text):
    # mandats.models.fold_search as it was written with this migration (migrations stay frozen).
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fill_search_names(apps, schema_editor):
    Usager = apps.get_model("mandats", "Usager")
    batch = []
    for usager in Usager.objects.only("given_names", "family_name", "preferred_username").iterator(
        chunk_size=2000
    ):
        usager.search_name = _fold(
            f"{usager.given_names} {usager.family_name} {usager.preferred_username}"
        )
        batch.append(usager)
        if len(batch) == 2000:
            Usager.objects.bulk_update(batch, ["search_name"])
            batch = []
    Usager.objects.bulk_update(batch, ["search_name"])


class TrigramIndex(migrations.operations.base.Operation):
    """A GIN trigram index on PostgreSQL only; nothing elsewhere (no model state: the index is a
    means of the database, not a field of the model)."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} "
            "ON mandats_usager USING gin (search_name gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")

    def describe(self):
        return "Trigram index on the usagers' folded names (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("mandats", "0004_journal_keyed_seals"),
    ]

    operations = [
        migrations.AddField(
            model_name="usager",
            name="search_name",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="noms (recherche)"
            ),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
        TrigramIndex(),
    ]
