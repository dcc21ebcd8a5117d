"""The two-role set-up of deploy/journal-role.sql on PostgreSQL: migrations run as the owner, the
application as a role that may only INSERT and SELECT the journal. That role can append, and can
neither change, delete, truncate nor un-guard the journal — even when the owner has disabled the
triggers."""

import os
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from mandats.models import JournalEntry

ROLE_SQL = Path(__file__).resolve().parents[2] / "deploy" / "journal-role.sql"
TABLE = "mandats_journalentry"


def grants(role: str) -> list[sql.Composed]:
    """The file's statements with its psql variable :"app_role" bound to `role`."""
    text = "\n".join(
        line for line in ROLE_SQL.read_text().splitlines() if not line.startswith("--")
    )
    return [
        sql.SQL(statement.strip().replace(':"app_role"', "{role}")).format(
            role=sql.Identifier(role)
        )
        for statement in text.split(";")
        if statement.strip()
    ]


@pytest.fixture
def app_role(transactional_db):
    """A login role with the application's grants, dropped afterwards."""
    # The cluster is shared: the name must not meet another run's.
    role = f"journal_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        for statement in grants(role):
            cursor.execute(statement)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        cursor.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def as_application(app_role):
    """A second connection to the test database, logged in as the application's role."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**{**params, "user": app_role, "password": ""}, autocommit=True) as app:
        yield app


@pytest.fixture
def owner_disabled_triggers(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def insert_entry(app: psycopg.Connection) -> int:
    row = app.execute(
        f"INSERT INTO {TABLE} (chain, sequence, created_at, action, usager_ref, demarche, details, "  # noqa: S608
        "previous_hash, entry_hash, seal_key_id) "
        "VALUES (0, 1, now(), 'aidant_login', '', '', '{}', %s, %s, 'tests-1') RETURNING id",
        ["0" * 64, "1" * 64],
    ).fetchone()
    assert row is not None
    return row[0]


def refused(app: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=r"denied|must be owner"):
        app.execute(statement)


@pytest.mark.postgres
def test_the_application_role_appends_and_reads_the_journal(as_application):
    entry_id = insert_entry(as_application)

    assert as_application.execute(f"SELECT id FROM {TABLE}").fetchall() == [(entry_id,)]  # noqa: S608
    assert JournalEntry.objects.get().pk == entry_id


# Each is a change the journal must never see; the owner has turned the triggers off, so only
# the role's privileges stand in the way.
FORBIDDEN = [
    f"UPDATE {TABLE} SET demarche = 'justice'",  # noqa: S608
    f"DELETE FROM {TABLE}",  # noqa: S608
    f"TRUNCATE {TABLE}",
    "UPDATE mandats_journalsealcutover SET last_legacy_sequence = 99",
    "INSERT INTO mandats_journalsealcutover (last_legacy_sequence, recorded_at) VALUES (99, now())",
    "DELETE FROM mandats_journalsealcutover",
    "INSERT INTO mandats_journalchaincutover (last_national_sequence, recorded_at) "
    "VALUES (99, now())",
    "DELETE FROM mandats_journalchaincutover",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
    f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
    f"ALTER TABLE {TABLE} OWNER TO CURRENT_USER",
]


@pytest.mark.postgres
def test_the_application_role_can_neither_change_nor_unguard_the_journal(
    as_application, owner_disabled_triggers
):
    insert_entry(as_application)

    for statement in FORBIDDEN:
        refused(as_application, statement)

    assert JournalEntry.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled = 'D'",
            [TABLE],
        )
        # Still the owner's three disabled guards, not one more nor one less.
        assert cursor.fetchone() == (3,)
