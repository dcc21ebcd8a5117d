"""Times the subsidy beat tasks on PostgreSQL with a programme-sized data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/subsidy_tasks.py --posts 40000

The script works in the database named in DATABASE_URL, which must be the bench's own (created
if missing, migrations applied): it empties the programme's tables there, seeds posts in bulk
(the services would take minutes: the shape of the data is what matters here), then runs each
beat task twice: the first run has the work of a day after a long outage, the second shows the
idempotent run that finds nothing to do. It prints the time, the number of SQL queries and the
data size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def bench_database_url() -> str:
    """The database named in DATABASE_URL: the bench's own, whose programme tables it empties."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not urlsplit(url).path.strip("/"):
        sys.exit("DATABASE_URL doit désigner une base PostgreSQL (postgres://…/nom).")
    return url


def create_database_if_missing(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.strip("/")
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not exists.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Tables emptied before seeding (TRUNCATE: the append-only triggers guard rows, not truncation).
SEEDED_TABLES = [
    "conseillers_subsidytransition",
    "conseillers_payment",
    "conseillers_recovery",
    "conseillers_justificationdocument",
    "conseillers_justification",
    "conseillers_tranche",
    "conseillers_subvention",
    "conseillers_convention",
    "conseillers_postholding",
    "conseillers_post",
    "conseillers_contract",
    "conseillers_match",
    "conseillers_candidat_departements",
    "conseillers_candidat",
    "conseillers_decision",
    "conseillers_candidature",
    "core_membership",
    "core_structure",
]


def empty_tables() -> None:
    """Empties the bench's own database; the append-only tables' TRUNCATE guards are lifted for
    this one statement, in its transaction."""
    from django.db import connection, transaction

    from core.append_only import set_triggers, truncate_guards

    with transaction.atomic(), connection.cursor() as cursor:
        guards = truncate_guards(cursor)
        set_triggers(cursor, guards, enabled=False)
        cursor.execute(f"TRUNCATE {', '.join(SEEDED_TABLES)} RESTART IDENTITY CASCADE")
        set_triggers(cursor, guards, enabled=True)


def siret(n: int) -> str:
    from stdnum import luhn

    siren8 = f"{30000000 + n:08d}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def seed(posts: int, today: datetime.date, rng: random.Random) -> None:
    """`posts` posts, four per structure, started over the last 30 months; one in ten left, up to
    a year ago; one in a hundred paid below the SMIC. Tranche 1 is paid for posts started two
    months ago or more; every other tranche is still planned, as after a long outage of the beat.
    """
    from django.db import transaction

    from conseillers import models as m
    from conseillers.subsidy import models as sub
    from conseillers.subsidy.math import add_months, due_date
    from core.models import Departement, Structure, User

    with transaction.atomic():
        anct, _ = User.objects.get_or_create(
            email="anct@bench.example", defaults={"is_anct": True, "last_name": "Bench"}
        )
        codes = list(Departement.objects.values_list("code", flat=True))
        count = (posts + 3) // 4
        structures = Structure.objects.bulk_create(
            Structure(
                siret=siret(i),
                name=f"Structure {i}",
                type="commune",
                departement_id=codes[i % len(codes)],
            )
            for i in range(count)
        )
        candidatures = m.Candidature.objects.bulk_create(
            m.Candidature(
                structure=s,
                siret=s.siret,
                contact_name="Contact",
                contact_email="contact@bench.example",
                posts_wished=4,
                motivation="Banc d'essai.",
                start_date=today,
                state=m.CandidatureState.VALIDATED,
            )
            for s in structures
        )
        m.Decision.objects.bulk_create(
            m.Decision(
                candidature=c,
                kind=m.DecisionKind.INITIAL,
                posts_granted=4,
                number=f"B-{c.pk}",
                decided_on=today,
                author=anct,
            )
            for c in candidatures
        )
        regime = sub.Regime.objects.get(code="france-relance-2021")
        conventions = sub.Convention.objects.bulk_create(
            sub.Convention(
                structure=c.structure,
                candidature=c,
                regime=regime,
                number=f"CNFS-B-{c.pk:06d}",
                signed_on=today,
                public=True,
                bonus=False,
                posts=4,
                signed_by=anct,
            )
            for c in candidatures
        )
        _seed_posts(posts, conventions, regime, anct, today, rng, m, sub, add_months, due_date)
    # What autovacuum does within a minute of a bulk load in production: without statistics, the
    # planner takes the freshly filled tables for empty and each batch's claim reads every row.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _seed_posts(posts, conventions, regime, anct, today, rng, m, sub, add_months, due_date) -> None:
    starts = [add_months(today, -rng.randint(0, 30)) for _ in range(posts)]
    left = [rng.random() < 0.1 for _ in range(posts)]
    candidats = m.Candidat.objects.bulk_create(
        m.Candidat(
            first_name="Conseiller",
            last_name=str(i),
            email=f"c{i}@bench.example",
            situation="demandeur_emploi",
            available_from=today,
            pix_level=2,
        )
        for i in range(posts)
    )
    matches = m.Match.objects.bulk_create(
        m.Match(
            structure_id=conventions[i // 4].structure_id,
            candidat=candidats[i],
            state=m.MatchState.RUPTURE_VALIDATED if left[i] else m.MatchState.FINALISED,
        )
        for i in range(posts)
    )
    m.Contract.objects.bulk_create(
        m.Contract(
            match=match,
            type="cdi",
            start_date=starts[i],
            # One in a hundred below the SMIC: the blocked path, with its French message.
            gross_monthly_salary=Decimal("1750.00") if i % 100 == 7 else Decimal("1900.00"),
            weekly_hours=Decimal("35"),
        )
        for i, match in enumerate(matches)
    )
    ends = [
        max(starts[i], add_months(today, -rng.randint(1, 12))) if left[i] else None
        for i in range(posts)
    ]
    post_rows = m.Post.objects.bulk_create(
        m.Post(
            structure_id=matches[i].structure_id,
            holder=None if left[i] else matches[i],
            vacant_since=ends[i],
        )
        for i in range(posts)
    )
    m.PostHolding.objects.bulk_create(
        m.PostHolding(post=post_rows[i], match=matches[i], started_on=starts[i], ended_on=ends[i])
        for i in range(posts)
    )
    subventions = sub.Subvention.objects.bulk_create(
        sub.Subvention(
            convention=conventions[i // 4],
            structure_id=matches[i].structure_id,
            post=post_rows[i],
            holder=matches[i],
            total_cents=5_000_000,
            duration_months=24,
            vacancy_window_months=6,
            started_on=starts[i],
            holder_started_on=starts[i],
            ends_on=add_months(starts[i], 24),
        )
        for i in range(posts)
    )
    lines = regime.lines_for(public=True)
    amounts = regime.amounts_for(public=True, bonus=False)
    paid = [(today - starts[i]).days >= 60 for i in range(posts)]
    tranches = sub.Tranche.objects.bulk_create(
        sub.Tranche(
            subvention=subventions[i],
            rank=line.rank,
            label=line.label,
            initial_amount_cents=amount,
            amount_cents=amount,
            trigger=line.trigger,
            month=line.month,
            justification=line.justification,
            due_on=due_date(starts[i], line.month),
            state=sub.TrancheState.PAID if line.rank == 1 and paid[i] else sub.TrancheState.PLANNED,
        )
        for i in range(posts)
        for line, amount in zip(lines, amounts, strict=True)
    )
    sub.Payment.objects.bulk_create(
        sub.Payment(
            tranche=t,
            amount_cents=t.amount_cents,
            reference=f"BDT-{t.pk}",
            paid_on=t.due_on,
            recorded_by=anct,
        )
        for t in tranches
        if t.state == sub.TrancheState.PAID
    )


def size() -> str:
    from django.db.models import Count

    from conseillers.models import Post
    from conseillers.subsidy.models import Payment, Subvention, Tranche

    by_state = dict(Tranche.objects.values_list("state").annotate(n=Count("pk")).order_by())
    subventions = dict(Subvention.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return (
        f"{Post.objects.count()} postes, {Tranche.objects.count()} tranches {by_state}, "
        f"subventions {subventions}, {Payment.objects.count()} paiements"
    )


def timed(name: str, call: Callable[[], object]) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log keeps 9,000 queries: counted from empty each time
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
    print(f"  {name:<38} {elapsed:7.2f} s  {len(queries):5d} requêtes  → {result}")


@contextmanager
def reminders_queued_not_sent() -> Iterator[None]:
    """The claim records one reminder per structure in the outbox and publishes it: measured
    with an in-memory broker, so that the emails (a worker's job) are not sent in this process."""
    from backend.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url="memory://", task_always_eager=False)
    try:
        yield
    finally:
        app.conf.update(broker_url=saved[0], task_always_eager=saved[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=4000, help="nombre de postes (défaut 4000)")
    parser.add_argument("--seed", type=int, default=2026, help="graine du hasard")
    args = parser.parse_args()

    url = bench_database_url()
    create_database_if_missing(url)
    setup_django(url)
    from django.utils import timezone

    from conseillers import tasks as programme_tasks
    from conseillers.subsidy import services as subsidy
    from conseillers.subsidy import tasks

    today = timezone.localdate()
    empty_tables()
    start = time.perf_counter()
    seed(args.posts, today, random.Random(args.seed))  # noqa: S311 - reproducible data, no secret
    elapsed = time.perf_counter() - start
    print(f"Base {urlsplit(url).path.strip('/')} : jeu de données créé en {elapsed:.1f} s")
    print(f"Avant : {size()}")
    for attempt in ("1er passage (le travail d'une longue panne)", "2e passage (rien à faire)"):
        print(attempt)
        timed("rapprochement des postes", tasks.reconcile_subventions)
        timed("tranches échues (contrôle du SMIC)", tasks.mark_tranches_due)
        with reminders_queued_not_sent():
            timed(
                "relances : réservation des tranches",
                lambda: len(subsidy.justifications_claim_reminders(now=timezone.now())),
            )
        timed("postes vacants au-delà du délai", programme_tasks.flag_long_vacancies)
    print(f"Après : {size()}")


if __name__ == "__main__":
    main()
