"""Times the matching by distance (conseillers.matching) on PostgreSQL at the programme's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/matching.py --structures 30000 --candidats 100000

The script works in the database named in DATABASE_URL, which must be the bench's own (created
if missing, migrations applied, every commune loaded): it empties the programme's tables there,
seeds structures and candidates by COPY, each in a commune drawn at random among those with a
position, a tenth of the structures recruiting (a validated application: about the programme's
4,000 posts at 30,000 structures), the candidates' maximum distances drawn from 5 to 100 km (one in
ten without a maximum: the département rule). Then it times the nightly refresh of the proposals
(first run, then the idempotent second run, then one after a tenth of the candidates moved or
were recruited), one structure's live list, an on-demand refresh, and the gestionnaire's page of
that structure over HTTP through gunicorn beside the bare JSON view of bench/hot_paths_site.py
(the floor: the same middleware and session without a query), and prints the data size.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hot_paths import Path_, get, gunicorn, p90
from hot_paths import setup_django as setup_site
from subsidy_tasks import (
    bench_database_url,
    create_database_if_missing,
    empty_tables,
    siret,
)

DISTANCES = [5, 10, 15, 20, 30, 50, 100, None]
DISTANCE_WEIGHTS = [10, 20, 15, 20, 15, 8, 2, 10]


def seed(structures: int, candidats: int, recruiting: float, rng: random.Random) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from conseillers import models as m
    from core.models import Commune, Structure

    now = timezone.now()
    communes = list(
        Commune.objects.filter(latitude__isnull=False).values_list("code", "departement_id")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        with raw.copy(
            "COPY core_structure (siret, name, type, departement_id, commune_id, address, "
            "contact_email, contact_phone, zrr, qpv, france_services, created_at, updated_at) "
            "FROM STDIN"
        ) as copy:
            for i in range(structures):
                code, departement = rng.choice(communes)
                copy.write_row(
                    (
                        *(siret(i), f"Structure {i}", "commune", departement, code, "", "", ""),
                        *(False, False, False, now, now),
                    )
                )
        with raw.copy(
            "COPY conseillers_candidat (first_name, last_name, email, phone, situation, "
            "available_from, max_distance_km, pix_level, cv, created_at, commune_id) FROM STDIN"
        ) as copy:
            for i in range(candidats):
                code, _ = rng.choice(communes)
                distance = rng.choices(DISTANCES, DISTANCE_WEIGHTS)[0]
                available = datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 365)
                copy.write_row(
                    (
                        *("Prénom", f"Nom {i}", f"c{i}@bench.example", "", "demandeur_emploi"),
                        *(available, distance, 1 + i % 3, "", now, code),
                    )
                )
        # Each candidate chose the département of their commune.
        cursor.execute(
            "INSERT INTO conseillers_candidat_departements (candidat_id, departement_id) "
            "SELECT c.id, cc.departement_id FROM conseillers_candidat c "
            "JOIN core_commune cc ON cc.code = c.commune_id"
        )
        chosen = rng.sample(range(structures), int(structures * recruiting))
        ids = Structure.objects.order_by("pk").values_list("pk", "siret")
        by_rank = list(ids)
        m.Candidature.objects.bulk_create(
            (
                m.Candidature(
                    structure_id=by_rank[i][0],
                    siret=by_rank[i][1],
                    contact_name="Contact",
                    contact_email="contact@bench.example",
                    posts_wished=1,
                    motivation="Banc d'essai.",
                    start_date=now.date(),
                    state=m.CandidatureState.VALIDATED,
                )
                for i in chosen
            ),
            batch_size=5000,
        )
        cursor.execute("ANALYZE")


def timed(name: str, call: Callable[[], object]) -> object:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
    print(f"  {name:<44} {elapsed:7.2f} s  {len(queries):5d} requêtes  → {result}")
    return result


def size() -> str:
    from django.db import connection

    from conseillers.matching import recruiting_structures
    from conseillers.models import Candidat, Proposal
    from core.models import Structure

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('conseillers_proposal'))")
        (table,) = cursor.fetchone()
    return (
        f"{Structure.objects.count()} structures ({recruiting_structures().count()} recrutent), "
        f"{Candidat.objects.count()} candidats, {Proposal.objects.count()} propositions "
        f"(table et index : {table})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=30000)
    parser.add_argument("--candidats", type=int, default=100000)
    parser.add_argument("--recruiting", type=float, default=0.1, help="part qui recrute")
    parser.add_argument("--seed", type=int, default=2026, help="graine du hasard")
    parser.add_argument("--rounds", type=int, default=15, help="requêtes HTTP par chemin")
    args = parser.parse_args()

    url = bench_database_url()
    create_database_if_missing(url)
    setup_site(url)
    print(machine())
    from django.db import connection

    from conseillers import matching
    from core.communes import load_communes
    from core.models import Structure

    load_communes()
    empty_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE conseillers_runstructurecount, conseillers_proposal, "
            "conseillers_proposalrun RESTART IDENTITY CASCADE"
        )
    start = time.perf_counter()
    seed(args.structures, args.candidats, args.recruiting, random.Random(args.seed))  # noqa: S311 - reproducible data
    print(f"Données semées en {time.perf_counter() - start:.1f} s : {size()}")

    timed("actualisation nocturne (1re)", lambda: matching.proposals_refresh().new_proposals)
    timed("actualisation nocturne (2e, rien de neuf)", refresh_counts)
    churn(random.Random(args.seed + 1))  # noqa: S311 - reproducible data
    timed("actualisation nocturne (après mouvements)", refresh_counts)
    # The structure with the most candidates offered: the worst case of one gestionnaire's page.
    from django.db.models import Count

    top = (
        Structure.objects.annotate(n=Count("proposals"))
        .select_related("departement", "commune")
        .order_by("-n")
        .first()
    )
    assert top is not None
    timed(
        f"liste d'une structure ({top.commune}, 1re page)",
        lambda: len(list(matching.candidats_for_structure(top)[:20])),
    )
    timed(
        "liste d'une structure (nombre de candidats)",
        lambda: matching.candidats_for_structure(top).count(),
    )
    timed("actualisation à la demande (une structure)", lambda: refresh_counts(top))
    print(f"Après : {size()}")
    page_over_http(top, url, args.rounds)


def refresh_counts(structure=None) -> str:
    from conseillers import matching

    run = matching.proposals_refresh(structure=structure)
    return f"+{run.new_proposals} −{run.removed_proposals}"


def churn(rng: random.Random) -> None:
    """A night's changes, a tenth of the candidates each: moved to another commune, a shorter
    maximum distance, or recruited (their proposals withdrawn)."""
    from django.db import connection

    from conseillers.models import Candidat
    from core.models import Commune

    ids = list(Candidat.objects.values_list("pk", flat=True))
    communes = list(Commune.objects.filter(latitude__isnull=False).values_list("code", flat=True))
    with connection.cursor() as cursor:
        moved = [(rng.choice(communes), pk) for pk in rng.sample(ids, len(ids) // 30)]
        cursor.executemany("UPDATE conseillers_candidat SET commune_id = %s WHERE id = %s", moved)
        shorter = rng.sample(ids, len(ids) // 30)
        cursor.execute(
            "UPDATE conseillers_candidat SET max_distance_km = 5 WHERE id = ANY(%s)", [shorter]
        )
    hired = rng.sample(ids, len(ids) // 30)
    recruit(hired)
    print(
        f"  mouvements : {len(moved)} candidats ont changé de commune, {len(shorter)} de "
        f"distance (5 km), {len(hired)} recrutés"
    )


def recruit(candidats: list[int]) -> None:
    """Recruited somewhere (a match in `recrutee`): no longer available."""
    from django.db import connection

    from conseillers.models import MatchState

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO conseillers_match (structure_id, candidat_id, state, created_at, "
            "state_changed_at) SELECT (SELECT MIN(id) FROM core_structure), c, %s, now(), now() "
            "FROM unnest(%s::bigint[]) AS c",
            [MatchState.RECRUITED, candidats],
        )
        cursor.execute("ANALYZE")


def gestionnaire_session(structure) -> str:
    """A session cookie of a gestionnaire of the structure, which is granted two posts."""
    from django.test import Client
    from django.utils import timezone

    from conseillers.models import Candidature, Decision, DecisionKind
    from core.models import Membership, Role, User

    author, _ = User.objects.get_or_create(email="anct-matching@bench.example")
    user, _ = User.objects.get_or_create(email="gestionnaire-matching@bench.example")
    Membership.objects.get_or_create(user=user, structure=structure, role=Role.GESTIONNAIRE)
    candidature = Candidature.objects.filter(structure=structure).first()
    Decision.objects.create(
        candidature=candidature,
        kind=DecisionKind.INITIAL,
        posts_granted=2,
        number="BANC-1",
        decided_on=timezone.localdate(),
        author=author,
    )
    client = Client(HTTP_HOST="127.0.0.1")  # one of the demo's hosts
    client.force_login(user)
    return client.cookies["sessionid"].value


def page_over_http(structure, url: str, rounds: int) -> None:
    """The gestionnaire's candidates page, over HTTP, beside the bare view (the floor)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cookie = gestionnaire_session(structure)
    page = f"/conseillers/recrutement/?structure={structure.pk}"
    paths = [
        Path_("vue JSON nue (plancher)", "/banc-d-essai/nu/", "gestionnaire"),
        Path_("page des candidats d'une structure, 1re page", page, "gestionnaire"),
        Path_("page des candidats d'une structure, 3e page", f"{page}&page=3", "gestionnaire"),
    ]
    for path in paths:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = cookie
        client.get(path.url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path.url).status_code == 200, path.url
        path.queries = len(queries)
    with gunicorn(url) as port:
        for _ in range(3):  # the worker's first requests import and connect
            for path in paths:
                get(port, path.url, cookie)
        for _ in range(rounds):
            for path in paths:
                path.times.append(get(port, path.url, cookie))
    floor = statistics.median(paths[0].times)
    print(f"\nPar HTTP (gunicorn, un worker, DEBUG désactivé), {rounds} tours :")
    for path in paths:
        median = statistics.median(path.times)
        print(
            f"  {path.label:<46} {path.queries:3d} requêtes  médiane {median * 1000:6.1f} ms  "
            f"p90 {p90(path.times) * 1000:6.1f} ms  {median / floor:5.1f} × le plancher"
        )


def machine() -> str:
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    return (
        f"Machine : {platform.node()}, {os.cpu_count()} cœurs, charge {' '.join(load)} "
        "(partagée : chiffres approximatifs)"
    )


if __name__ == "__main__":
    main()
