"""Times the matching by distance (conseillers.matching) on PostgreSQL at the programme's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/matching.py --structures 30000 --candidats 100000

The script works in the database named in DATABASE_URL, which must be the bench's own (created
if missing, migrations applied, every commune loaded): it empties the programme's tables there,
seeds structures and candidates by COPY, each in a commune drawn at random among those with a
position, a tenth of the structures recruiting (a validated application: about the programme's
4,000 posts at 30,000 structures), the candidates' maximum distances drawn from 5 to 100 km (one in
ten without a maximum: the département rule). Then it times the nightly refresh of the proposals
(first run, then the idempotent second run), one structure's live list, and an on-demand refresh,
and prints the data size.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from subsidy_tasks import (
    bench_database_url,
    create_database_if_missing,
    empty_tables,
    setup_django,
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
    args = parser.parse_args()

    url = bench_database_url()
    create_database_if_missing(url)
    setup_django(url)
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
    timed(
        "actualisation nocturne (2e, rien de neuf)",
        lambda: matching.proposals_refresh().new_proposals,
    )
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
    timed(
        "actualisation à la demande (une structure)",
        lambda: matching.proposals_refresh(structure=top).new_proposals,
    )
    print(f"Après : {size()}")


if __name__ == "__main__":
    main()
