"""Transactional tests end with a flush of every table. On SQLite the flush is a DELETE, which
the journal's append-only trigger refuses (as it should); PostgreSQL truncates, which row
triggers do not see. So, on SQLite only, the trigger steps aside for the flush and comes back."""

from importlib import import_module

from django.db import connection

APPEND_ONLY = import_module("mandats.migrations.0002_journal_append_only")
NO_DELETE = 1  # the second statement of each list: the DELETE trigger


def empty_journal_for_flush() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY.SQLITE_DROP[NO_DELETE])
        cursor.execute("DELETE FROM mandats_journalentry")
        cursor.execute(APPEND_ONLY.SQLITE_CREATE[NO_DELETE])
