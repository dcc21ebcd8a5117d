"""Times the daily Aidants Connect tasks on PostgreSQL: the usagers' purge, the expiry reminders.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \\
        .venv/bin/python bench/mandats_tasks.py --mandates 200000

The database named in DATABASE_URL is the bench's own (created if missing, migrated): its
Aidants Connect tables are emptied, then seeded in bulk: `--mandates` mandates (one autorisation
each) over 500 organisations, most of them already reminded or too short to be, `--due` of them
due for a reminder, and `--purged` usagers past their six-year retention. Each task then runs as
the worker runs it (eagerly here: every batch of TASK_BATCH_SIZE, one message each); the script
prints the time, the queries, the batches and the queries per batch.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from journal import organisations
from subsidy_tasks import bench_database_url, create_database_if_missing

TABLES = [
    "mandats_journalentry",
    "mandats_journalanchorrun",
    "mandats_autorisation",
    "mandats_mandat",
    "mandats_usager",
    "core_outboxmessage",
]


def setup() -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.append_only import set_triggers, truncate_guards

    call_command("migrate", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        guards = truncate_guards(cursor)
        set_triggers(cursor, guards, enabled=False)
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        set_triggers(cursor, guards, enabled=True)


def seed(mandates: int, due: int, purged: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from mandats.models import Autorisation, Mandat, Usager

    now = timezone.now()
    long_ago = now - timedelta(days=7 * 365 + 30)
    orgs = organisations(500)
    usagers = Usager.objects.bulk_create(
        Usager(
            given_names="Usager",
            family_name=str(i),
            birthdate="1970-01-01",
            birthcountry="99100",
            gender="female",
            sub_hash=f"{i:064x}",
            last_seen_at=long_ago if i < purged else now,
        )
        for i in range(purged + mandates)
    )
    kinds: list[tuple[datetime, datetime, str, datetime | None]] = []
    for i in range(purged + mandates):
        if i < purged:  # a one-month mandate signed seven years ago
            kinds.append((long_ago, long_ago + timedelta(days=31), "mois", None))
        elif i < purged + due:  # a year, ending in ten days, not reminded
            kinds.append((now - timedelta(days=355), now + timedelta(days=10), "annee", None))
        elif i % 2:  # a year, already reminded
            kinds.append((now - timedelta(days=355), now + timedelta(days=10), "annee", now))
        else:  # a month, never reminded
            kinds.append((now - timedelta(days=20), now + timedelta(days=11), "mois", None))
    created = Mandat.objects.bulk_create(
        (
            Mandat(
                organisation_id=orgs[i % len(orgs)],
                usager=usagers[i],
                created_at=signed,
                expires_at=expires,
                duration=duration,
                expiration_reminder_sent_at=reminded,
                legal_text_version="2025-01",
                content_hash="0" * 64,
            )
            for i, (signed, expires, duration, reminded) in enumerate(kinds)
        ),
        batch_size=5000,
    )
    Autorisation.objects.bulk_create(
        (Autorisation(mandat=m, demarche="social") for m in created), batch_size=5000
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mandats_mandat, mandats_autorisation, mandats_usager")


def timed(name: str, call: Callable[[], object], batches: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        call()
        elapsed = time.perf_counter() - start
    per_batch = len(queries) / max(batches, 1)
    print(
        f"  {name:<26} {elapsed:7.2f} s  {len(queries):6d} queries  {batches:4d} batches  "
        f"{per_batch:5.1f} queries per batch"
    )


def claim_every_batch(size: int) -> None:
    from mandats import services

    while services.mandats_claim_expiration_reminders(batch_size=size) == size:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mandates", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--purged", type=int, default=5_000)
    args = parser.parse_args()
    url = bench_database_url()
    create_database_if_missing(url)
    setup()
    from django.conf import settings
    from subsidy_tasks import reminders_queued_not_sent

    from mandats import tasks

    start = time.perf_counter()
    seed(args.mandates, args.due, args.purged)
    print(
        f"seeded {args.mandates + args.purged:,} mandates and usagers in "
        f"{time.perf_counter() - start:.0f} s ({args.due:,} due for a reminder, "
        f"{args.purged:,} usagers past retention), TASK_BATCH_SIZE={settings.TASK_BATCH_SIZE}"
    )
    size = settings.TASK_BATCH_SIZE
    # The claims as the task's messages run them, one batch each; the emails they record in the
    # outbox go to an in-memory broker (a worker's job, not measured here).
    with reminders_queued_not_sent():
        timed("expiry reminders", lambda: claim_every_batch(size), math.ceil((args.due + 1) / size))
    timed(
        "usagers' purge",
        lambda: tasks.purge_expired_usagers.delay().get(),
        math.ceil((args.purged + 1) / size),
    )


if __name__ == "__main__":
    main()
