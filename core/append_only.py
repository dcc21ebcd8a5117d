"""Append-only tables: the database itself refuses UPDATE and DELETE of their rows, whatever the
path (Model.save, QuerySet.update, the admin, raw SQL).

A model opts in by declaring `append_only_message` (the French message the database raises), and
its migration installs the guard with the `AppendOnly` operation. Every transition log does, through
the abstract `core.transitions.TransitionLog`.

Two row triggers per table, `<table>_no_update` and `<table>_no_delete`, on PostgreSQL and SQLite.
A table may also refuse TRUNCATE (`refuse_truncate=True`): a statement trigger `<table>_no_truncate`
on PostgreSQL (SQLite has no TRUNCATE). Test flushes empty every table, with TRUNCATE on
PostgreSQL and DELETE on SQLite: the test harness (`tests/conftest.py`) lifts the guards they hit
around them. SQLite also rebuilds a
table, losing its triggers, when a later migration alters it: such a migration must apply
`AppendOnly` again; `tests/core/test_append_only.py` fails if a guard is missing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

OPERATIONS = ("UPDATE", "DELETE")
TRUNCATE = "TRUNCATE"
# One function serves every table: the message travels as the trigger's argument.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION core_append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0] || ' (' || TG_OP || ' refusé)',
        ERRCODE = 'restrict_violation';
END;
$$
"""


def truncate_guards(cursor: Any) -> list[tuple[str, str]]:
    """(table, trigger) of every enabled BEFORE TRUNCATE guard, on PostgreSQL: what a test flush
    or a benchmark emptying its own database must lift, and put back after."""
    # tgtype bits: 2 BEFORE, 32 TRUNCATE; 'D' a trigger already disabled.
    cursor.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgtype & 34 = 34 AND t.tgenabled <> 'D'"
    )
    return list(cursor.fetchall())


def set_triggers(cursor: Any, triggers: list[tuple[str, str]], *, enabled: bool) -> None:
    action = "ENABLE" if enabled else "DISABLE"
    for table, trigger in triggers:
        cursor.execute(f'ALTER TABLE "{table}" {action} TRIGGER "{trigger}"')


def trigger_name(table: str, operation: str) -> str:
    return f"{table}_no_{operation.lower()}"


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"


def create_sql(vendor: str, table: str, message: str, refuse_truncate: bool = False) -> list[str]:
    if vendor == "postgresql":
        return (
            [POSTGRESQL_FUNCTION]
            + [
                f"CREATE TRIGGER {trigger_name(table, op)} BEFORE {op} ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION core_append_only_refuse({_quoted(message)})"
                for op in OPERATIONS
            ]
            + ([_postgresql_truncate_trigger(table, message)] if refuse_truncate else [])
        )
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {trigger_name(table, op)} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {_quoted(f'{message} ({op} refusé)')}); END"
            for op in OPERATIONS
        ]
    raise NotImplementedError(f"Les tables en ajout seul ne sont pas gérées pour « {vendor} ».")


def _postgresql_truncate_trigger(table: str, message: str) -> str:
    # TRUNCATE fires no row trigger: only a statement trigger sees it.
    return (
        f"CREATE TRIGGER {trigger_name(table, TRUNCATE)} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION core_append_only_refuse({_quoted(message)})"
    )


def drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {trigger_name(table, op)} ON {table}"
            for op in (*OPERATIONS, TRUNCATE)
        ]
    return [f"DROP TRIGGER IF EXISTS {trigger_name(table, op)}" for op in OPERATIONS]


def guard_sql(vendor: str, table: str, message: str, refuse_truncate: bool = False) -> list[str]:
    """The statements that (re)install a table's guards: any left from before dropped first, so
    running them twice leaves one set."""
    return drop_sql(vendor, table) + create_sql(vendor, table, message, refuse_truncate)


def append_only_models() -> list[type[models.Model]]:
    """Every installed model whose rows the database must never change nor delete."""
    return [model for model in apps.get_models() if getattr(model, "append_only_message", "")]


class AppendOnly(Operation):
    """Migration operation: install (or, backwards, remove) the guard of one model's table."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, message: str, refuse_truncate: bool = False) -> None:
        self.model_name = model_name
        self.message = message
        self.refuse_truncate = refuse_truncate

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"model_name": self.model_name, "message": self.message}
        if self.refuse_truncate:
            kwargs["refuse_truncate"] = True
        return (f"{self.__class__.__module__}.{self.__class__.__qualname__}", [], kwargs)

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # Triggers are invisible to the model state.

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
        vendor = schema_editor.connection.vendor
        for sql in guard_sql(vendor, table, self.message, self.refuse_truncate):
            schema_editor.execute(sql, params=None)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        for sql in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)

    def describe(self) -> str:
        refused = "UPDATE, DELETE and TRUNCATE" if self.refuse_truncate else "UPDATE and DELETE"
        return f"Refuse {refused} on {self.model_name}"


def restore_sqlite_guards(using: str = "default", **_: Any) -> None:
    """After `migrate` on SQLite, puts back the guards of every append-only table.

    SQLite cannot alter a column in place: Django rebuilds the table (copy, drop, rename), and the
    triggers go with the dropped one, so a later AlterField on a guarded table would leave it
    writable in the demo. PostgreSQL keeps triggers through ALTER TABLE: nothing to do there."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model in append_only_models():
            table = model._meta.db_table
            if table not in tables:
                continue
            message: str = model.append_only_message  # type: ignore[attr-defined]
            for sql in guard_sql("sqlite", table, message):
                cursor.execute(sql)
