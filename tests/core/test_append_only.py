"""The append-only mechanism (core.append_only) on the database in use, PostgreSQL or SQLite:
every model that declares itself append-only has its guards installed, and a guarded table refuses
UPDATE and DELETE whatever the path, with the model's French message."""

import pytest
from django.db import DatabaseError, connection, transaction

from core import append_only

MODELS = append_only.append_only_models()
PROBE = "core_append_only_probe"


def _triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {name for (name,) in cursor.fetchall()}


def test_the_transition_logs_and_the_journals_are_registered():
    names = {model._meta.label for model in MODELS}
    assert {"conseillers.CandidatureTransition", "conseillers.MatchTransition"} <= names
    assert {"subsidy.SubsidyTransition", "mandats.HabilitationTransition"} <= names
    assert "subsidy.RenewalTransition" in names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_append_only_table_has_both_guards(db, model):
    table = model._meta.db_table
    expected = {append_only.trigger_name(table, op) for op in append_only.OPERATIONS}
    assert expected <= _triggers_on(table)


@pytest.fixture
def probe(transactional_db):
    """A scratch table guarded by the mechanism, dropped afterwards."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE} (id integer PRIMARY KEY, note varchar(20))")
        for sql in append_only.create_sql(vendor, PROBE, "Sonde en ajout seul"):
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {PROBE} (id, note) VALUES (1, 'premier')")  # noqa: S608
    yield
    with connection.cursor() as cursor:
        for sql in append_only.drop_sql(vendor, PROBE):
            cursor.execute(sql)
        cursor.execute(f"DROP TABLE {PROBE}")


@pytest.mark.parametrize(
    "statement",
    [f"UPDATE {PROBE} SET note = 'changé' WHERE id = 1", f"DELETE FROM {PROBE} WHERE id = 1"],  # noqa: S608
)
def test_a_guarded_table_refuses_the_change_with_its_message(probe, statement):
    with (
        pytest.raises(DatabaseError, match="Sonde en ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {PROBE}")  # noqa: S608
        assert cursor.fetchall() == [("premier",)]


def test_inserting_stays_allowed(probe):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROBE} (id, note) VALUES (2, 'second')")  # noqa: S608
        cursor.execute(f"SELECT count(*) FROM {PROBE}")  # noqa: S608
        assert cursor.fetchone() == (2,)


def test_the_demo_database_keeps_every_guard_through_its_migrations(tmp_path):
    """`make run` migrates a new SQLite database: tables SQLite rebuilt to alter a column (the
    journal's, among others) must come out of `migrate` guarded like the others."""
    import os
    import sqlite3
    import subprocess
    import sys

    database = tmp_path / "demo.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=600,
    )
    with sqlite3.connect(database) as demo:
        triggers = {
            (table, name)
            for table, name in demo.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    missing = {
        (model._meta.db_table, append_only.trigger_name(model._meta.db_table, op))
        for model in MODELS
        for op in append_only.OPERATIONS
    } - triggers
    assert missing == set()
