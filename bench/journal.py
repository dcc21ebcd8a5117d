"""Times the Aidants Connect journal on PostgreSQL: concurrent appends, then verify_journal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/journal.py

The database named in DATABASE_URL is the bench's own: created if missing, migrated, and its
journal emptied (TRUNCATE, guards lifted for that statement). Then:

1. appends: `--writers` processes (8), each in its own organisation, append `--appends` entries
   each through `JournalEntry.append` (one transaction per entry, as the services do); prints
   appends per second;
2. verification: seeds `--rows` entries (2 million) over `--chains` organisations by COPY, sealed
   by the application's own canonical form and key, anchors their heads, then runs
   `manage.py verify_journal --processus N` in a child process and prints rows per second and the
   peak memory (largest resident set of the command and of its worker processes).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# The benchmarks' one way of naming and creating their own database.
from subsidy_tasks import bench_database_url, create_database_if_missing  # noqa: E402


def setup_django() -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("JOURNAL_ANCHOR_DIR", tempfile.mkdtemp(prefix="inclusion-bench-anchors-"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def empty_journal() -> None:
    from django.db import connection, transaction

    from core.append_only import set_triggers, truncate_guards

    with transaction.atomic(), connection.cursor() as cursor:
        guards = truncate_guards(cursor)
        set_triggers(cursor, guards, enabled=False)
        cursor.execute(
            "TRUNCATE mandats_journalentry, mandats_journalanchorrun RESTART IDENTITY CASCADE"
        )
        set_triggers(cursor, guards, enabled=True)
    anchors = Path(os.environ["JOURNAL_ANCHOR_DIR"])
    for name in anchors.glob("journal-*.json") if anchors.exists() else []:
        name.chmod(0o644)
        name.unlink()


def organisations(count: int) -> list[int]:
    """`count` structures of the bench (created once, reused)."""
    from core.models import Departement, Structure

    existing = list(
        Structure.objects.filter(name__startswith="Banc journal ")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    if len(existing) >= count:
        return existing
    code = Departement.objects.values_list("code", flat=True)[0]
    created = Structure.objects.bulk_create(
        Structure(siret=f"9{i:013d}", name=f"Banc journal {i}", type="commune", departement_id=code)
        for i in range(len(existing), count)
    )
    return existing + [s.pk for s in created]


def _writer(organisation_id: int, appends: int, start, done) -> None:
    from django.conf import settings
    from django.db import connections

    from core.models import Structure
    from mandats.models import JournalAction, JournalEntry

    connections.close_all()
    # As in production: no query log kept by the connection (the bench's DEBUG is for settings).
    settings.DEBUG = False
    organisation = Structure.objects.get(pk=organisation_id)
    start.wait()
    for _ in range(appends):
        JournalEntry.append(
            JournalAction.AUTORISATION_USED,
            actor=None,
            organisation=organisation,
            demarche="social",
            details={"service": "impots.gouv.fr"},
        )
    done.put(time.perf_counter())


def bench_appends(writers: int, appends: int, *, one_organisation: bool = False) -> None:
    from django.db import connections

    from mandats.models import JournalEntry

    # One organisation for all: every writer in one chain, as the single national chain was.
    ids = organisations(1) * writers if one_organisation else organisations(writers)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, done = context.Barrier(writers + 1), context.Queue()
    processes = [
        context.Process(target=_writer, args=(ids[i], appends, start, done)) for i in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    ended = max(done.get() for _ in processes)
    for process in processes:
        process.join()
    total = writers * appends
    elapsed = ended - began
    first_break = JournalEntry.objects.first_break()
    print(
        f"appends: {writers} writers in {len(set(ids))} organisation(s), {total:,} entries in "
        f"{elapsed:.2f} s → {total / elapsed:,.0f} appends/s (chains intact: {first_break is None})"
    )


def seed(rows: int, chains: int) -> None:
    """`rows` entries over `chains` organisations, written by COPY with the seals the
    application would have written (same canonical form, same key)."""
    from django.conf import settings
    from django.db import connection

    from mandats import journal_seal
    from mandats.journal_chain import GENESIS_HASH, ROW_COLUMNS, canonical

    ids = organisations(chains)
    key_id = journal_seal.current_key_id()
    secret = settings.JOURNAL_SEAL_KEYS[key_id].encode()
    per_chain = rows // chains
    started = datetime(2026, 1, 1, tzinfo=UTC)
    columns = ROW_COLUMNS[1:]  # the id comes from the sequence
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY mandats_journalentry ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for organisation_id in ids:
            previous = GENESIS_HASH
            for sequence in range(1, per_chain + 1):
                details = {"service": "impots.gouv.fr"} if sequence % 3 else {}
                row = [
                    None,
                    organisation_id,
                    sequence,
                    started + timedelta(seconds=sequence),
                    "autorisation_used",
                    None,
                    organisation_id,
                    sequence,
                    "",
                    sequence,
                    sequence,
                    "social",
                    details,
                    previous,
                    "",
                    key_id,
                ]
                previous = hmac.new(secret, canonical(row, 0), hashlib.sha256).hexdigest()
                row[14] = previous
                row[12] = journal_seal.canonical_json(details).decode()
                copy.write_row(row[1:])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mandats_journalentry")


def bench_verify(rows: int, chains: int, workers: int) -> None:
    from django.db import connection

    from mandats.journal_anchors import journal_anchor_heads

    began = time.perf_counter()
    seed(rows, chains)
    seeded_in = time.perf_counter() - began
    print(f"seeded {rows:,} entries over {chains:,} chains by COPY in {seeded_in:.0f} s")
    checkpoint = journal_anchor_heads()
    print(f"anchored {len(checkpoint.heads) if checkpoint else 0:,} chain heads in one checkpoint")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('mandats_journalentry')) "
            "FROM mandats_journalentry"
        )
        count, size = cursor.fetchone()
    print(f"journal: {count:,} entries, {size} on disk (table and indexes)")
    command = [sys.executable, str(ROOT / "manage.py"), "verify_journal", f"--processus={workers}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    # Our own manage.py, in a child process: its peak memory (and its workers') is measured alone.
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, env=os.environ, check=False
    )
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = after.ru_maxrss
    # On a shared machine the wall time depends on the neighbours: the CPU time does not.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print((result.stdout + result.stderr).strip())
    print(
        f"verify_journal --processus={workers}: {count:,} entries in {elapsed:.2f} s → "
        f"{count / elapsed:,.0f} rows/s (process start included); peak memory of one process "
        f"{peak_kib / 1024:.0f} MiB; {cpu:.1f} s of CPU in the command's processes → "
        f"{count / cpu:,.0f} rows per CPU second (the database server's own CPU not counted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=2000, help="entries per writer")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chains", type=int, default=2_000)
    parser.add_argument("--processus", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument(
        "--one-organisation",
        action="store_true",
        help="every writer in the same organisation (one chain), for comparison",
    )
    args = parser.parse_args()
    url = bench_database_url()
    create_database_if_missing(url)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    empty_journal()
    print(f"PostgreSQL database {urlsplit(url).path.lstrip('/')}, {os.cpu_count()} cores")
    # Verification first: the peak memory read is that of the bench's children, and the
    # writers are children too.
    if not args.skip_verify:
        bench_verify(args.rows, args.chains, args.processus)
        empty_journal()
    bench_appends(args.writers, args.appends, one_organisation=args.one_organisation)


if __name__ == "__main__":
    main()
