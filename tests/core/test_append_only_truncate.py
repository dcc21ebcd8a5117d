"""core.append_only can also refuse TRUNCATE (a statement trigger, PostgreSQL only: SQLite has no
TRUNCATE), which the row triggers never see."""

import pytest
from django.db import DatabaseError, connection, transaction

from core import append_only
from mandats.models import JournalEntry, JournalSealCutover

PROBE = "core_append_only_truncate_probe"


def test_the_option_survives_the_migration_autodetector():
    operation = append_only.AppendOnly("journalentry", "Sonde", refuse_truncate=True)

    assert operation.deconstruct()[2] == {
        "model_name": "journalentry",
        "message": "Sonde",
        "refuse_truncate": True,
    }
    assert "TRUNCATE" in operation.describe()
    assert "refuse_truncate" not in append_only.AppendOnly("x", "Sonde").deconstruct()[2]


@pytest.mark.postgres
def test_a_table_guarded_with_the_option_refuses_truncate_with_its_message(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE} (id integer PRIMARY KEY)")
        for sql in append_only.create_sql("postgresql", PROBE, "Sonde", refuse_truncate=True):
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {PROBE} (id) VALUES (1)")  # noqa: S608

    with (
        pytest.raises(DatabaseError, match=r"Sonde \(TRUNCATE refusé\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {PROBE}")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {PROBE}")  # noqa: S608
        assert cursor.fetchone() == (1,)


@pytest.mark.postgres
@pytest.mark.parametrize("model", [JournalEntry, JournalSealCutover], ids=lambda m: m.__name__)
def test_the_journal_tables_carry_the_truncate_guard(db, model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgtype & 34 = 34",
            [table],
        )
        assert cursor.fetchall() == [(append_only.trigger_name(table, "TRUNCATE"),)]
