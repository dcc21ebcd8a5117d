"""Times the hot paths over HTTP, through gunicorn, at national scale and at ten times more.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inclusion_bench \
        .venv/bin/python bench/hot_paths.py

The script works in the database DATABASE_URL names, which must be the bench's own (created if
missing, migrations applied). For each scale it empties the tables it seeds, seeds them in bulk
(ORM bulk inserts for the programme, COPY for Aidants Connect), refreshes the dashboard's figures
as the beat would, analyses the tables, then starts gunicorn on them and asks each hot path in
turn, beside a bare JSON view (`bench/hot_paths_site.py`: the same middleware, the same session,
no query of its own), round after round, so that both see the same machine at the same moment.
It prints, per path: the SQL queries of one request (counted in process), the median and p90 of
the response times and the median as a multiple of the bare view's; then the data sizes.
`--explain` also prints the plan (EXPLAIN ANALYZE) of each path's slowest query.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import subsidy_tasks  # noqa: E402 - the programme's seed is shared with the subsidy bench

BARE_PATH = "/banc-d-essai/nu/"
AIDANT = "aidant"
# Aidants Connect at 1×: a tenth of the national tables; at 10×, the national ones.
ORGANISATIONS, AIDANTS, USAGERS = 300, 1_500, 30_000
# The organisation whose aidant is measured keeps this many usagers at every scale.
MEASURED_USAGERS = 10_000

SEEDED_TABLES = [
    *subsidy_tasks.SEEDED_TABLES,
    "mandats_autorisation",
    "mandats_mandat",
    "mandats_usager",
    "mandats_habilitatedorganisation",
    "mandats_aidantprofile",
    "conseillers_departementfigures",
    "subsidy_departementmoney",
    "otp_totp_totpdevice",
    "django_session",
]

GIVEN = [
    "Alice",
    "Amélie",
    "André",
    "Anaïs",
    "Bernard",
    "Brigitte",
    "Camille",
    "Céline",
    "Chloé",
    "Claude",
    "Daniel",
    "Denise",
    "Élodie",
    "Émile",
    "Éric",
    "Fatima",
    "François",
    "Gaëlle",
    "Gérard",
    "Hélène",
    "Hugo",
    "Inès",
    "Isabelle",
    "Jacques",
    "Jérôme",
    "Joël",
    "Julie",
    "Karim",
    "Léa",
    "Léon",
    "Louise",
    "Lucas",
    "Manon",
    "Marie",
    "Mathis",
    "Mélanie",
    "Michel",
    "Moussa",
    "Nathalie",
    "Noé",
    "Océane",
    "Paul",
    "Pierre",
    "Rachid",
    "Raphaël",
    "Sophie",
    "Stéphane",
    "Thérèse",
    "Thomas",
    "Yasmine",
    "Zoé",
]
FAMILY = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Müller",
    "Lefèbvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martínez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
]


def setup_django(url: str) -> None:
    # The site as people get it (DEBUG off), in the demo's mode: no production secrets needed.
    os.environ.update(DEBUG="0", DEMO="1", DATABASE_URL=url, LOG_LEVEL="WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hot_paths_site"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def empty_tables() -> None:
    from django.db import connection, transaction

    from core.append_only import set_triggers, truncate_guards

    with transaction.atomic(), connection.cursor() as cursor:
        guards = truncate_guards(cursor)
        set_triggers(cursor, guards, enabled=False)
        cursor.execute(f"TRUNCATE {', '.join(SEEDED_TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM core_user WHERE email LIKE '%@bench.example'")
        set_triggers(cursor, guards, enabled=True)


# --- Seeding -------------------------------------------------------------------------------------


def seed_programme(scale: int, today: datetime.date, rng: random.Random) -> None:
    """The subsidy bench's programme (4,000 posts a scale, four a structure, three tranches
    each), plus one application waiting in one structure in four; submissions, matches and
    their changes of state spread over two years, as they happened."""
    from django.db import connection

    from conseillers.models import Candidature, CandidatureState
    from core.models import Structure

    subsidy_tasks.seed(4000 * scale, today, rng)
    Candidature.objects.bulk_create(
        Candidature(
            structure=structure,
            siret=structure.siret,
            contact_name="Contact",
            contact_email="contact@bench.example",
            posts_wished=2,
            motivation="Banc d'essai.",
            start_date=today,
            state=rng.choice([CandidatureState.CREATED, CandidatureState.EXAMINATION]),
        )
        for structure in Structure.objects.filter(siret__startswith="3")[::4]
    )
    with connection.cursor() as cursor:
        for table in ("conseillers_candidature", "conseillers_match"):
            # Table names are constants of this script, never input.
            spread = "now() - random() * interval '730 days'"
            cursor.execute(f"UPDATE {table} SET created_at = {spread}")  # noqa: S608
            cursor.execute(f"UPDATE {table} SET state_changed_at = created_at")  # noqa: S608


@contextmanager
def copy(table: str, columns: list[str]) -> Iterator:
    from django.db import connection

    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as writer:
            yield writer
        last = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 - a constant table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), ({last}))")


def seed_aidants_connect(scale: int, rng: random.Random) -> int:
    """Organisations, aidants, usagers, mandates and autorisations; returns the measured
    aidant's user id. One usager in ten has a second mandate; four mandates in five are in
    force; three démarches a mandate, one autorisation in twenty revoked."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import Membership, Role, Structure, User
    from mandats.models import AidantProfile, HabilitatedOrganisation, all_demarches

    organisations = ORGANISATIONS * scale
    unusable = make_password(None)  # sessions are made directly: no password is ever typed
    with transaction.atomic():
        structures = Structure.objects.bulk_create(
            Structure(
                siret=subsidy_tasks.siret(5_000_000 + i),
                name=f"Organisation habilitée {i}",
                type="association",
                departement_id=rng.choice(["93", "75", "13", "69", "59", "33", "37", "971"]),
            )
            for i in range(organisations)
        )
        HabilitatedOrganisation.objects.bulk_create(
            HabilitatedOrganisation(structure=s, allowed_demarches=all_demarches())
            for s in structures
        )
        users = User.objects.bulk_create(
            User(email=f"aidant{i}@bench.example", password=unusable, last_name=f"Aidant {i}")
            for i in range(AIDANTS * scale)
        )
        Membership.objects.bulk_create(
            Membership(user=u, structure=structures[i % organisations], role=Role.AIDANT)
            for i, u in enumerate(users)
        )
        AidantProfile.objects.bulk_create(
            AidantProfile(user=u, current_organisation=structures[i % organisations])
            for i, u in enumerate(users)
        )
        TOTPDevice.objects.create(user=users[0], name="Banc d'essai", confirmed=True)
        _copy_usagers_and_mandates(USAGERS * scale, [s.pk for s in structures], rng)
    return users[0].pk


def _copy_usagers_and_mandates(usagers: int, organisations: list[int], rng: random.Random) -> None:
    from mandats.models import all_demarches, fold_search

    now = datetime.datetime.now(datetime.UTC)
    columns = ["id", "given_names", "family_name", "preferred_username", "birthdate"]
    columns += ["birthplace", "birthcountry", "gender", "email", "sub_hash", "created_at"]
    columns += ["last_seen_at", "search_name"]
    with copy("mandats_usager", columns) as writer:
        for pk in range(1, usagers + 1):
            first, last = rng.choice(GIVEN), rng.choice(FAMILY)
            born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(27_000))
            identity = (pk, first, last, "", born, "75112", "99100", "female", "")
            writer.write_row((*identity, f"{pk:064x}", now, now, fold_search(f"{first} {last} ")))
    mandates = []
    for usager in range(1, usagers + 1):
        measured = usager <= MEASURED_USAGERS
        organisation = organisations[0] if measured else rng.choice(organisations[1:])
        mandates.append((usager, organisation, rng.random() < 0.8))
        if rng.random() < 0.1:
            mandates.append((usager, organisation, False))
    columns = ["id", "organisation_id", "usager_id", "created_at", "expires_at", "duration"]
    columns += ["is_remote", "legal_text_version", "content_hash"]
    with copy("mandats_mandat", columns) as writer:
        for pk, (usager, organisation, active) in enumerate(mandates, start=1):
            if active:
                created = now - datetime.timedelta(days=rng.randrange(180), seconds=pk)
                expires = now + datetime.timedelta(days=rng.randrange(1, 365))
            else:
                created = now - datetime.timedelta(days=rng.randrange(400, 2000), seconds=pk)
                expires = created + datetime.timedelta(days=365)
            writer.write_row(
                (pk, organisation, usager, created, expires, "annee", False, "2025-01", "0" * 64)
            )
    demarches = all_demarches()
    with copy("mandats_autorisation", ["id", "mandat_id", "demarche", "revoked_at"]) as writer:
        pk = 0
        for mandat in range(1, len(mandates) + 1):
            for demarche in rng.sample(demarches, 3):
                pk += 1
                writer.write_row((pk, mandat, demarche, now if rng.random() < 0.05 else None))


def analyse() -> None:
    import psycopg
    from django.db import connection

    with psycopg.connect(subsidy_tasks.bench_database_url(), autocommit=True) as raw:
        raw.execute("VACUUM ANALYZE")
    connection.close()


def sizes() -> str:
    from django.db import connection

    tables = {
        "postes": "conseillers_post",
        "tranches": "conseillers_tranche",
        "candidatures": "conseillers_candidature",
        "mises en relation": "conseillers_match",
        "organisations habilitées": "mandats_habilitatedorganisation",
        "aidants": "core_membership WHERE role = 'aidant'",
        "usagers": "mandats_usager",
        "mandats": "mandats_mandat",
        "autorisations": "mandats_autorisation",
    }
    with connection.cursor() as cursor:
        counts = []
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constants above
            counts.append(f"{cursor.fetchone()[0]:,} {name}".replace(",", " "))
    return ", ".join(counts)


# --- The paths -----------------------------------------------------------------------------------


@dataclass
class Path_:
    label: str
    url: str
    persona: str  # "anct" or "aidant"
    queries: int = 0
    slowest_sql: str = ""
    times: list[float] = field(default_factory=list)


def deep_cursor(queryset, back: int) -> str:
    """The cursor of the page that ends the list (`back` rows before its end): the last page."""
    from core import keyset

    ordering = keyset.ordering_of(queryset)
    reverse = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)
    row = queryset.order_by(*reverse)[back]
    values = tuple(getattr(row, f.lstrip("-")) for f in ordering)
    return keyset.Cursor(values, keyset.FORWARD).encode()


def hot_paths(aidant_id: int) -> list[Path_]:
    from conseillers.models import Candidature, Match
    from conseillers.subsidy.models import Tranche
    from mandats.models import Mandat, Usager

    measured = Mandat.objects.filter(usager_id=1).values_list("organisation_id", flat=True)[0]
    usagers = Usager.objects.filter(mandats__organisation_id=measured).order_by(
        "family_name", "given_names", "pk"
    )
    return [
        Path_("vue JSON nue (référence)", BARE_PATH, "anct"),
        Path_("API tranches, 1re page", "/api/conseillers/tranches/", "anct"),
        Path_(
            "API tranches, dernière page",
            "/api/conseillers/tranches/?curseur="
            + deep_cursor(Tranche.objects.order_by("due_on", "pk"), 50),
            "anct",
        ),
        Path_("API mises en relation, 1re page", "/api/conseillers/mises-en-relation/", "anct"),
        Path_(
            "API mises en relation, dernière page",
            "/api/conseillers/mises-en-relation/?curseur="
            + deep_cursor(Match.objects.order_by("-created_at", "-pk"), 50),
            "anct",
        ),
        Path_("ANCT : candidatures, 1re page", "/conseillers/candidatures/", "anct"),
        Path_(
            "ANCT : candidatures, dernière page",
            "/conseillers/candidatures/?curseur="
            + deep_cursor(Candidature.objects.order_by("-created_at", "-pk"), 25),
            "anct",
        ),
        Path_("tableau de bord national", "/conseillers/tableau-de-bord/", "anct"),
        Path_("aidant : usagers (10 000), 1re page", "/aidants-connect/usagers/", "aidant"),
        Path_(
            "aidant : usagers, page au milieu",
            "/aidants-connect/usagers/?curseur="
            + deep_cursor(usagers.distinct(), MEASURED_USAGERS // 2),
            "aidant",
        ),
        Path_("aidant : recherche « lefevre »", "/aidants-connect/usagers/?q=lefevre", AIDANT),
        Path_("aidant : recherche « hél mar »", "/aidants-connect/usagers/?q=h%C3%A9l+mar", AIDANT),
    ]


def sessions(aidant_id: int) -> dict[str, str]:
    """A session cookie per persona, the aidant's with a verified TOTP device."""
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import User
    from mandats.otp import SESSION_LAST_ACTIVITY

    cookies = {}
    for persona, user in (
        ("anct", User.objects.get(email="anct@bench.example")),
        ("aidant", User.objects.get(pk=aidant_id)),
    ):
        client = Client(HTTP_HOST="127.0.0.1")  # one of the demo's hosts
        client.force_login(user)
        if persona == "aidant":
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
            session[SESSION_LAST_ACTIVITY] = timezone.now().timestamp()
            session.save()
        cookies[persona] = client.cookies["sessionid"].value
    return cookies


def count_queries(paths: list[Path_], cookies: dict[str, str]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for path in paths:
        client = Client(HTTP_HOST="127.0.0.1")  # one of the demo's hosts
        client.cookies["sessionid"] = cookies[path.persona]
        client.get(path.url)  # sessions and content types warmed up, as in a running server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.url)
        if response.status_code != 200:
            sys.exit(f"{path.url} : réponse {response.status_code}")
        path.queries = len(queries)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
        path.slowest_sql = slowest["sql"] if slowest else ""


@contextmanager
def gunicorn(url: str) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "hot_paths_site",
        "PYTHONPATH": f"{ROOT}:{BENCH}",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "backend.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"]
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
        "w", prefix="bench-hot-paths-gunicorn-", suffix=".log", delete=False
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def get(port: int, url: str, cookie: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    connection.request("GET", url, headers={"Cookie": f"sessionid={cookie}"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    if response.status != 200:
        sys.exit(f"{url} : réponse HTTP {response.status}")
    return elapsed


def measure(paths: list[Path_], cookies: dict[str, str], url: str, rounds: int) -> None:
    with gunicorn(url) as port:
        for _ in range(3):  # the worker's first requests import and connect
            for path in paths:
                get(port, path.url, cookies[path.persona])
        for _ in range(rounds):
            for path in paths:
                path.times.append(get(port, path.url, cookies[path.persona]))


def explain(paths: list[Path_]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for path in paths[1:]:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {path.slowest_sql}")
            plan = "\n    ".join(row[0] for row in cursor.fetchall())
            print(f"\n  {path.label} — requête la plus lente :\n    {plan}")


# --- Report --------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10)[-1]


def report(results: dict[int, list[Path_]]) -> None:
    scales = sorted(results)
    header = "| chemin | " + " | ".join(
        f"{s}× requêtes | {s}× médiane (ms) | {s}× p90 (ms) | {s}× multiple" for s in scales
    )
    print("\n" + header + " |")
    print("|---" * (1 + 4 * len(scales)) + "|")
    for index, path in enumerate(results[scales[0]]):
        cells = []
        for scale in scales:
            row, bare = results[scale][index], results[scale][0]
            multiple = statistics.median(row.times) / statistics.median(bare.times)
            cells += [str(row.queries), ms(statistics.median(row.times)), ms(p90(row.times))]
            cells.append(f"{multiple:.1f}")
        print(f"| {path.label} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="facteurs d'échelle (défaut 1,10)")
    parser.add_argument("--rounds", type=int, default=30, help="requêtes par chemin (défaut 30)")
    parser.add_argument("--explain", action="store_true", help="plans de la plus grande échelle")
    parser.add_argument("--seed", type=int, default=2026, help="graine du hasard")
    args = parser.parse_args()

    url = subsidy_tasks.bench_database_url()
    subsidy_tasks.create_database_if_missing(url)
    setup_django(url)
    from django.utils import timezone

    from conseillers.dashboard.snapshot import dashboard_refresh

    print(f"Machine : {platform.node()}, {os.cpu_count()} cœurs, {platform.platform()}")
    results: dict[int, list[Path_]] = {}
    for scale in (int(s) for s in args.scales.split(",")):
        rng = random.Random(args.seed)  # noqa: S311 - reproducible data, no secret
        empty_tables()
        start = time.perf_counter()
        seed_programme(scale, timezone.localdate(), rng)
        aidant = seed_aidants_connect(scale, rng)
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        dashboard_refresh(now=timezone.now())
        refreshed = time.perf_counter() - start
        analyse()
        print(f"\n{scale}× : données créées en {seeded:.0f} s ; {sizes()}")
        print(f"  tableau de bord recalculé (tâche du beat) en {refreshed * 1000:.0f} ms")
        cookies = sessions(aidant)
        paths = hot_paths(aidant)
        count_queries(paths, cookies)
        measure(paths, cookies, url, args.rounds)
        results[scale] = paths
        if args.explain and scale == max(int(s) for s in args.scales.split(",")):
            explain(paths)
    report(results)


if __name__ == "__main__":
    main()
