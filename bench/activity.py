"""Times the activity figures on PostgreSQL with a programme-sized history of comptes rendus.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/activity.py --rows 10000000

The database named in DATABASE_URL is the bench's own (created if missing, migrated, its
programme tables emptied): `subsidy_tasks.seed` lays out about 3,600 posts with their conseillers,
then `--rows` comptes rendus are written by COPY, spread over the last four years, one theme each
(the M2M rows by COPY too). Then:

1. the aggregates are built (`figures_rebuild`, the nightly task) and the beat task's refresh of
   the still-editable window is timed;
2. the statistics are read `--repeat` times each (national and one département, over twelve
   months with ragged edges and over four years; one structure, live): median, p90, queries;
3. one compte rendu is recorded through `activity_record` (the form's and the API's path) and the
   refresh of its département and day timed: queries of each;
4. the data size is printed (rows and disk of the records, their themes and the aggregates).

Figures are approximate on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from subsidy_tasks import (
    bench_database_url,
    create_database_if_missing,
    empty_tables,
    seed,
    setup_django,
)

POSTS = 3600
YEARS = 4
CHUNK = 200_000


def copy_activities(rows: int, today: datetime.date, rng: random.Random) -> None:
    """`rows` records by COPY, ids 1…rows, spread evenly over the conseillers and the days."""
    from django.db import connection

    from conseillers.activity.models import Theme
    from conseillers.models import Match

    matches = list(Match.objects.values_list("pk", "structure_id", "structure__departement_id"))
    themes = list(Theme.objects.values_list("pk", flat=True))
    dates = [today - datetime.timedelta(days=n) for n in range(1, 365 * YEARS)]
    days = [f"{d:%Y-%m-%d}" for d in dates if d.weekday() < 5]
    kinds = _row_kinds()
    columns = (
        "id, match_id, structure_id, departement_id, date, kind, duration_minutes, place_kind, "
        "autonomy, participants, age_35_60, status_employed, place_label, commune_insee, "
        "redirected, redirected_to, equipment, age_under_12, age_12_18, age_18_35, age_over_60, "
        "status_in_school, status_unemployed, status_retired, status_unknown, created_at, "
        "updated_at"
    )
    tail = "\t\t\tf\t\t[]\t0\t0\t0\t0\t0\t0\t0\t0\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\n"
    prefixes = [f"{m}\t{s}\t{d}\t" for m, s, d in matches]
    with connection.cursor() as cursor, bulk_load(cursor, TABLES):
        with cursor.connection.cursor().copy(
            f"COPY activity_activity ({columns}) FROM STDIN"
        ) as copy:
            for start in range(1, rows + 1, CHUNK):
                count = min(CHUNK, rows + 1 - start)
                who = rng.choices(prefixes, k=count)
                when = rng.choices(days, k=count)
                what = rng.choices(kinds, k=count)
                copy.write(
                    "".join(
                        f"{start + i}\t{who[i]}{when[i]}\t{what[i]}{tail}" for i in range(count)
                    )
                )
        with cursor.connection.cursor().copy(
            "COPY activity_activity_themes (activity_id, theme_id) FROM STDIN"
        ) as copy:
            for start in range(1, rows + 1, CHUNK):
                count = min(CHUNK, rows + 1 - start)
                chosen = rng.choices(themes, k=count)
                copy.write("".join(f"{start + i}\t{chosen[i]}\n" for i in range(count)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('activity_activity_id_seq', %s)", [rows])
        cursor.execute("ANALYZE activity_activity")
        cursor.execute("ANALYZE activity_activity_themes")


TABLES = ("activity_activity", "activity_activity_themes")


@contextmanager
def bulk_load(cursor, tables: tuple[str, ...]):
    """The usual bulk load: secondary indexes dropped then built once, foreign-key triggers off
    (the rows are generated from the ids just read). Needs a superuser, as the bench's own
    database is run."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [list(tables)],
    )
    indexes = cursor.fetchall()  # the constraints' own indexes (primary key, unique) stay
    try:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        yield
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


def _row_kinds() -> list[str]:
    """kind, duration, place, autonomy, participants, age_35_60, status_employed: nine
    individual accompaniments for one workshop of 4 to 12."""
    from conseillers.activity.models import Autonomy, PlaceKind

    places = [PlaceKind.PLACE] * 6 + [PlaceKind.REMOTE, PlaceKind.HOME, PlaceKind.OTHER]
    found = [
        f"individuel\t{minutes}\t{place}\t{autonomy}\t1\t1\t1"
        for minutes in (20, 30, 45, 60, 90)
        for place in places
        for autonomy in Autonomy.values
    ]
    workshops = [f"collectif\t120\tlieu_activite\t\t{n}\t{n}\t{n}" for n in range(4, 13)]
    return found + workshops * (len(found) // 9 // len(workshops) + 1)


def timings(name: str, call, repeat: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    durations, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            durations.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    durations.sort()
    p90 = durations[min(len(durations) - 1, int(len(durations) * 0.9))]
    print(
        f"  {name:<52} médiane {statistics.median(durations):7.1f} ms  p90 {p90:7.1f} ms"
        f"  {queries} requêtes"
    )


def once(name: str, call) -> object:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
    print(f"  {name:<52} {elapsed:8.2f} s  {len(captured)} requêtes")
    return result


def size() -> str:
    from django.db import connection

    parts = []
    with connection.cursor() as cursor:
        for table in (
            "activity_activity",
            "activity_activity_themes",
            "activity_stats_activityfigures",
        ):
            cursor.execute(
                f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}"  # noqa: S608
            )
            rows, disk = cursor.fetchone()
            parts.append(f"{table} : {rows:,} lignes, {disk}".replace(",", " "))
    return "\n  ".join(parts)


def record_one(today: datetime.date):
    """A manager records one accompaniment for a conseiller in post, through the service."""
    from conseillers.activity.models import Theme
    from conseillers.activity.selectors import MATCH_RELATED
    from conseillers.activity.services import activity_record
    from conseillers.models import Match, MatchState
    from core.models import Membership, User

    match = (
        Match.objects.filter(state=MatchState.FINALISED, contract__start_date__lte=today)
        .select_related(*MATCH_RELATED)
        .first()
    )
    manager, _ = User.objects.get_or_create(email="gestionnaire@bench.example")
    Membership.objects.get_or_create(user=manager, structure=match.structure, role="gestionnaire")
    manager = User.objects.get(pk=manager.pk)  # its scope, fresh
    theme = Theme.objects.get(code="courriel")
    return lambda: activity_record(
        match=match,
        by=manager,
        themes=[theme],
        kind="individuel",
        date=today,
        duration_minutes=30,
        autonomy="autonome",
        age_35_60=1,
        status_employed=1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="comptes rendus (10 millions)")
    parser.add_argument("--repeat", type=int, default=15, help="lectures par mesure")
    parser.add_argument("--seed", type=int, default=2026, help="graine du hasard")
    args = parser.parse_args()

    url = bench_database_url()
    create_database_if_missing(url)
    setup_django(url)
    from django.utils import timezone

    from conseillers.activity.models import Activity
    from conseillers.activity.stats.access import Kind, Perimeter
    from conseillers.activity.stats.refresh import (
        figures_rebuild,
        figures_refresh,
        figures_refresh_activities,
        open_window,
    )
    from conseillers.activity.stats.selectors import Period, activity_stats
    from core.models import Departement, Structure

    today = timezone.localdate()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible data, no secret
    empty_tables()  # the activity's tables go with the matches (TRUNCATE … CASCADE)
    start = time.perf_counter()
    seed(POSTS, today, rng)
    elapsed = time.perf_counter() - start
    print(f"Base {urlsplit(url).path.strip('/')} : {POSTS} postes en {elapsed:.1f} s")
    start = time.perf_counter()
    copy_activities(args.rows, today, rng)
    elapsed = time.perf_counter() - start
    print(
        f"{args.rows:_} comptes rendus et leurs thèmes par COPY en {elapsed:.1f} s".replace(
            "_", " "
        )
    )

    print("Agrégats")
    once("reconstruction complète (tâche de nuit)", lambda: figures_rebuild(now=timezone.now()))
    window = open_window(today)
    once(
        f"fenêtre modifiable du {window[0]:%d/%m} au {window[1]:%d/%m} (tâche de beat)",
        lambda: figures_refresh(start=window[0], end=window[1], now=timezone.now()),
    )
    print(f"  {size()}")

    year = Period(today.replace(day=15) - datetime.timedelta(days=365), today)
    years = Period(today - datetime.timedelta(days=365 * YEARS - 1), today)
    departement = Departement.objects.get(code="37")
    structure = Structure.objects.filter(departement=departement).earliest("pk")
    national = Perimeter(Kind.NATIONAL, "national", "France entière")
    local = Perimeter(Kind.DEPARTEMENT, "departement-37", departement.name, frozenset(["37"]))
    own = Perimeter(
        Kind.STRUCTURE, f"structure-{structure.pk}", structure.name, structure_id=structure.pk
    )
    print(f"Statistiques ({args.repeat} lectures chacune)")
    for label, perimeter in (
        ("national", national),
        ("Indre-et-Loire", local),
        ("une structure (direct)", own),
    ):
        for what, period in (("12 mois, bords à la journée", year), (f"{YEARS} ans", years)):
            timings(
                f"{label}, {what}", lambda p=perimeter, q=period: activity_stats(p, q), args.repeat
            )

    print("Enregistrement d'un compte rendu")
    record = record_one(today)
    created = cast(Activity, once("activity_record (service)", record))
    once(
        "rafraîchissement de son département et de son jour",
        lambda: figures_refresh_activities([created], now=timezone.now()),
    )


if __name__ == "__main__":
    main()
