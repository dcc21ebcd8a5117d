"""The demo for transactional tests: loaded through its services once per test process, then put
back by COPY for each next test that needs it.

`load_demo` goes through the services (seconds on PostgreSQL: every application, decision, mandate
and journal entry is made the way a user makes it); a transactional test flushes the database
after it, so every browser test paid that again. The first load in a process is the real command;
its rows (and the journal checkpoint it wrote, outside the database) are kept, and the next tests
get them back as they were in a fraction of the time. Elsewhere than on PostgreSQL the command
runs each time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone


@dataclass(frozen=True)
class _Snapshot:
    made_for: tuple[object, ...]  # what the demo depends on beyond the code (`_conditions`)
    tables: dict[str, bytes]  # COPY's binary form of each table that has rows
    anchors: dict[str, bytes]  # the journal checkpoints the load wrote, by file name


_snapshot: _Snapshot | None = None


def load_demo() -> None:
    """The demo in the database, as `manage.py load_demo` leaves it on an empty one."""
    global _snapshot
    # Inside a test's transaction the load's journal checkpoint is never written (on commit):
    # such a load is neither kept nor served from what was kept.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        call_command("load_demo", stdout=io.StringIO())
    elif _snapshot is None or _snapshot.made_for != _conditions():
        call_command("load_demo", stdout=io.StringIO())
        _snapshot = _take()
    else:
        _restore(_snapshot)


def _conditions() -> tuple[object, ...]:
    """The demo is dated from today, registers its OpenID client for the address it is served
    on, and takes its usagers from the configured identities."""
    return (
        timezone.localdate(),
        settings.DEMO_BASE_URL,
        settings.FRANCECONNECT_DEMO_IDENTITIES,
    )


def _take() -> _Snapshot:
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 (a table name)
            if not cursor.fetchone()[0]:
                continue
            with cursor.cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT BINARY)') as copy:
                tables[table] = b"".join(bytes(block) for block in copy)
    anchors = storages["journal_anchors"]
    names = anchors.listdir("")[1] if anchors.exists("") else []
    return _Snapshot(_conditions(), tables, {name: _read(anchors, name) for name in names})


def _read(storage: Storage, name: str) -> bytes:
    with storage.open(name) as file:
        return file.read()


def _restore(snapshot: _Snapshot) -> None:
    """The tables of the snapshot emptied (the reference data the test set-up loaded again is in
    them too) and filled as the first load left them, without firing any trigger: the rows were
    checked when they were first written, and the append-only guards refuse the DELETE."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, data in snapshot.tables.items():
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a table name)
            with cursor.cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data)
    # The content types are the first load's again, not those the flush made: cached ids would
    # point at nothing.
    ContentType.objects.clear_cache()
    anchors = storages["journal_anchors"]
    for name, content in snapshot.anchors.items():
        anchors.save(name, ContentFile(content))
