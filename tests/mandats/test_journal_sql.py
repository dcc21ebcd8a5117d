"""verify_journal lets PostgreSQL write the canonical form of the usual entries: it must write
Python's bytes exactly, leave the others to Python, and never turn its own mistake into a
reported break."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from mandats import journal_sql, journal_walk
from mandats.journal_chain import ROW_COLUMNS, canonical
from mandats.models import JournalAction, JournalEntry
from tests.factories import StructureFactory

pytestmark = pytest.mark.postgres

TRICKY_TEXT = 'guillemets " barre \\ retour\nà la ligne\ttab \x01 é 漢 😀 \u2028 \x7f'


def sealed_rows() -> list[tuple]:
    sql, params = journal_sql.sealed_rows("", [], national_until=0)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def python_form(entry_id: int) -> bytes:
    row = JournalEntry.objects.filter(pk=entry_id).values_list(*ROW_COLUMNS).get()
    return canonical(row, national_until=0)


@pytest.mark.parametrize(
    "details",
    [
        {},
        {"service": "impots.gouv.fr"},
        {"b": 1, "a": TRICKY_TEXT, "é": True, "z": None, "Z": -3, "aa": 0.5},
        {"texte": TRICKY_TEXT},
    ],
)
@pytest.mark.parametrize("microsecond", [0, 7, 999_999])
def test_the_database_writes_the_same_bytes_as_python(db, details, microsecond):
    entry = JournalEntry.append(
        JournalAction.AUTORISATION_USED,
        actor=None,
        organisation=StructureFactory(),
        demarche="social",
        details=details,
    )
    # A date with or without microseconds, as isoformat() writes them or not.
    moved = datetime(2026, 3, 4, 5, 6, 7, microsecond, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE mandats_journalentry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE mandats_journalentry SET created_at = %s, usager_ref = %s WHERE id = %s",
            [moved, TRICKY_TEXT, entry.pk],
        )
        cursor.execute("ALTER TABLE mandats_journalentry ENABLE TRIGGER USER")

    (row,) = sealed_rows()
    assert row[journal_sql.PAYLOAD].encode() == python_form(entry.pk)


def test_details_holding_lists_are_left_to_python(db):
    JournalEntry.append(
        JournalAction.USAGER_PURGED,
        actor=None,
        organisation=StructureFactory(),
        details={"mandat_ids": [3, 1], "quoi": {"a": 1}},
    )
    (row,) = sealed_rows()
    assert row[journal_sql.PAYLOAD] is None
    entry = journal_sql.entry_row(row[journal_sql.COLUMNS])
    assert canonical(entry, national_until=0) == python_form(entry[0])


def test_a_wrong_form_from_the_database_is_not_reported_as_a_break(db, monkeypatch):
    organisation = StructureFactory()
    for _ in range(3):
        JournalEntry.append(JournalAction.AIDANT_LOGIN, actor=None, organisation=organisation)
    # The database's shortcut made wrong on purpose: Python's form decides.
    monkeypatch.setattr(journal_sql, "_PARTS", ["0", *journal_sql._PARTS[1:]])

    assert journal_walk.walk(workers=1).breaks == []


def test_an_entry_changed_in_place_is_still_reported(db):
    organisation = StructureFactory()
    entries = [
        JournalEntry.append(JournalAction.AIDANT_LOGIN, actor=None, organisation=organisation)
        for _ in range(3)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE mandats_journalentry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE mandats_journalentry SET demarche = 'argent' WHERE id = %s", [entries[1].pk]
        )
        cursor.execute("ALTER TABLE mandats_journalentry ENABLE TRIGGER USER")

    (found,) = journal_walk.walk(workers=1).breaks
    assert (found.entry_id, found.reason) == (entries[1].pk, "contenu modifié (empreinte invalide)")
