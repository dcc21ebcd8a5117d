"""The journal is append-only in the database itself: triggers refuse every UPDATE and DELETE,
whether it comes from Model.save(), QuerySet.update(), the admin or raw SQL.

SQLite rebuilds a table (and loses its triggers) when a later migration alters it: such a migration
must recreate these triggers; tests/mandats/test_journal.py fails if they are missing.
"""

from django.db import migrations

TABLE = "mandats_journalentry"

POSTGRESQL_CREATE = [
    """
    CREATE OR REPLACE FUNCTION mandats_journal_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'Le journal Aidants Connect est en ajout seul : ' || TG_OP || ' refusé.',
            ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER mandats_journal_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION mandats_journal_refuse_change()
    """,
    f"""
    CREATE TRIGGER mandats_journal_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION mandats_journal_refuse_change()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS mandats_journal_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS mandats_journal_no_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS mandats_journal_refuse_change()",
]

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER mandats_journal_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'Le journal Aidants Connect est en ajout seul : UPDATE refusé.');
    END
    """,
    f"""
    CREATE TRIGGER mandats_journal_no_delete BEFORE DELETE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'Le journal Aidants Connect est en ajout seul : DELETE refusé.');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS mandats_journal_no_update",
    "DROP TRIGGER IF EXISTS mandats_journal_no_delete",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(schema_editor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(
            f"Le journal en ajout seul n'est pas implémenté pour la base « {vendor} »."
        )
    for sql in STATEMENTS[vendor][index]:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("mandats", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
