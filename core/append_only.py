"""Append-only tables: the database itself refuses UPDATE and DELETE of their rows, whatever the
path (Model.save, QuerySet.update, the admin, raw SQL).

A model opts in by declaring `append_only_message` (the French message the database raises), and
its migration installs the guard with the `AppendOnly` operation. Every transition log does, through
the abstract `core.transitions.TransitionLog`.

Two row triggers per table, `<table>_no_update` and `<table>_no_delete`, on PostgreSQL and SQLite.
PostgreSQL's test flush uses TRUNCATE, which row triggers do not see; SQLite's uses DELETE, so
the test harness (`tests/conftest.py`) lifts the DELETE triggers around it. SQLite also rebuilds a
table, losing its triggers, when a later migration alters it: such a migration must apply
`AppendOnly` again; `tests/core/test_append_only.py` fails if a guard is missing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

OPERATIONS = ("UPDATE", "DELETE")
# One function serves every table: the message travels as the trigger's argument.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION core_append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0] || ' (' || TG_OP || ' refusé)',
        ERRCODE = 'restrict_violation';
END;
$$
"""


def trigger_name(table: str, operation: str) -> str:
    return f"{table}_no_{operation.lower()}"


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"


def create_sql(vendor: str, table: str, message: str) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRESQL_FUNCTION] + [
            f"CREATE TRIGGER {trigger_name(table, op)} BEFORE {op} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION core_append_only_refuse({_quoted(message)})"
            for op in OPERATIONS
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {trigger_name(table, op)} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {_quoted(f'{message} ({op} refusé)')}); END"
            for op in OPERATIONS
        ]
    raise NotImplementedError(f"Les tables en ajout seul ne sont pas gérées pour « {vendor} ».")


def drop_sql(vendor: str, table: str) -> list[str]:
    on_table = f" ON {table}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {trigger_name(table, op)}{on_table}" for op in OPERATIONS]


def append_only_models() -> list[type[models.Model]]:
    """Every installed model whose rows the database must never change nor delete."""
    return [model for model in apps.get_models() if getattr(model, "append_only_message", "")]


class AppendOnly(Operation):
    """Migration operation: install (or, backwards, remove) the guard of one model's table."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, message: str) -> None:
        self.model_name = model_name
        self.message = message

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            f"{self.__class__.__module__}.{self.__class__.__qualname__}",
            [],
            {"model_name": self.model_name, "message": self.message},
        )

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
        for sql in drop_sql(vendor, table) + create_sql(vendor, table, self.message):
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
        return f"Refuse UPDATE and DELETE on {self.model_name}"
