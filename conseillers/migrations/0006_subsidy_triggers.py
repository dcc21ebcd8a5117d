"""What the database itself refuses, whatever the path (Model.save, QuerySet.update, raw SQL):

- payments and the subsidy journal are append-only: no UPDATE, no DELETE;
- a regime used by a convention is frozen: its money terms and its tranches no longer change, so
  every convention keeps the terms it was signed under.

PostgreSQL refuses DELETE too; SQLite (development and the default test run) refuses UPDATE and
INSERT only, because the test runner empties tables with DELETE between transactional tests
(PostgreSQL uses TRUNCATE, which row triggers do not see). SQLite rebuilds a table, losing its
triggers, when a later migration alters it: such a migration must recreate them;
tests/conseillers/subsidy/test_append_only.py fails if they are missing.
"""

from django.db import migrations

APPEND_ONLY = {
    "conseillers_payment": "Un paiement ne se modifie ni ne se supprime : enregistrez une correction.",
    "conseillers_subsidytransition": "Le journal des subventions est en ajout seul.",
}
FROZEN = "Ce régime est utilisé par une convention : il ne se modifie plus (créez un nouveau régime)."
USED = "EXISTS (SELECT 1 FROM conseillers_convention c WHERE c.regime_id = {ref})"
TERMS = ("duration_months", "total_cents", "vacancy_window_months")


def _postgresql() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, message in APPEND_ONLY.items():
        create += [
            f"""
            CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION USING MESSAGE = '{message.replace("'", "''")}',
                    ERRCODE = 'restrict_violation';
            END;
            $$
            """,
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change()""",
        ]
        drop += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse_change()",
        ]
    frozen = FROZEN.replace("'", "''")
    create += [
        f"""
        CREATE OR REPLACE FUNCTION conseillers_regime_line_frozen() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP <> 'INSERT' AND {USED.format(ref="OLD.regime_id")})
               OR (TG_OP <> 'DELETE' AND {USED.format(ref="NEW.regime_id")}) THEN
                RAISE EXCEPTION USING MESSAGE = '{frozen}', ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END;
        $$
        """,
        """CREATE TRIGGER conseillers_regime_line_frozen
        BEFORE INSERT OR UPDATE OR DELETE ON conseillers_regimetranche
        FOR EACH ROW EXECUTE FUNCTION conseillers_regime_line_frozen()""",
        f"""
        CREATE OR REPLACE FUNCTION conseillers_regime_terms_frozen() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {USED.format(ref="OLD.id")} THEN
                RAISE EXCEPTION USING MESSAGE = '{frozen}', ERRCODE = 'restrict_violation';
            END IF;
            RETURN NEW;
        END;
        $$
        """,
        f"""CREATE TRIGGER conseillers_regime_terms_frozen
        BEFORE UPDATE OF {", ".join(TERMS)} ON conseillers_regime FOR EACH ROW
        WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in TERMS)})
        EXECUTE FUNCTION conseillers_regime_terms_frozen()""",
    ]
    drop += [
        "DROP TRIGGER IF EXISTS conseillers_regime_line_frozen ON conseillers_regimetranche",
        "DROP FUNCTION IF EXISTS conseillers_regime_line_frozen()",
        "DROP TRIGGER IF EXISTS conseillers_regime_terms_frozen ON conseillers_regime",
        "DROP FUNCTION IF EXISTS conseillers_regime_terms_frozen()",
    ]
    return create, drop


def _sqlite() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, message in APPEND_ONLY.items():
        create.append(
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{message.replace("'", "''")}'); END"""
        )
        drop.append(f"DROP TRIGGER IF EXISTS {table}_append_only")
    frozen = FROZEN.replace("'", "''")
    for operation, ref in (("INSERT", "NEW.regime_id"), ("UPDATE", "OLD.regime_id")):
        name = f"conseillers_regime_line_frozen_{operation.lower()}"
        create.append(
            f"""CREATE TRIGGER {name} BEFORE {operation} ON conseillers_regimetranche
            WHEN {USED.format(ref=ref)}
            BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
        )
        drop.append(f"DROP TRIGGER IF EXISTS {name}")
    create.append(
        f"""CREATE TRIGGER conseillers_regime_terms_frozen
        BEFORE UPDATE OF {", ".join(TERMS)} ON conseillers_regime
        WHEN ({" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TERMS)})
            AND {USED.format(ref="OLD.id")}
        BEGIN SELECT RAISE(ABORT, '{frozen}'); END"""
    )
    drop.append("DROP TRIGGER IF EXISTS conseillers_regime_terms_frozen")
    return create, drop


STATEMENTS = {"postgresql": _postgresql, "sqlite": _sqlite}


def _run(schema_editor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"Les garde-fous des subventions manquent pour « {vendor} ».")
    for sql in STATEMENTS[vendor]()[index]:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("conseillers", "0005_subsidy_regimes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
