import io
import math
import os

import pytest
from django.core.management import call_command
from django.db import connection

from conseillers.activity.models import Theme
from conseillers.activity.themes import ensure_national_themes
from conseillers.models import SmicRate
from conseillers.smic import ensure_known_rates
from conseillers.subsidy.models import Regime, RegimeTranche
from conseillers.subsidy.regimes import ensure_regimes
from core import context_processors
from core.models import Departement, Region
from core.territories import load_territories
from tests import services
from tests.factories import MembershipFactory, PrefectureAgentFactory, StructureFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked with a service runs only where the service answers; in CI it must answer."""
    for name, check in services.CHECKS.items():
        if item.get_closest_marker(name) is None:
            continue
        ok, reason = check()
        if ok:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 mais {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _no_connection_left_on_the_test_database(django_db_setup, django_db_blocker):
    """At the end of the session the test database is dropped, which PostgreSQL refuses while
    another session is connected to it: a live server's request thread or a process a test
    started may still hold one. They are ended first (this fixture tears down before the
    database's)."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush the database after them, reference data of the migrations
    included; the next ones get it back here (the loaders are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    load_territories(Region, Departement)
    ensure_known_rates(SmicRate)
    ensure_regimes(Regime, RegimeTranche)
    ensure_national_themes(Theme)
    yield
    # PostgreSQL's flush deletes in replica mode, past the guards (tests/postgresql).
    _empty_append_only_tables_before_flush()


@pytest.fixture(autouse=True)
def _site_configuration_already_read(monkeypatch) -> None:
    """The DSFR site configuration is read once a minute per process (core.context_processors):
    whether a test's first page reads it would depend on the tests run before it. Each test starts
    with it read (this project keeps none: None), so query counts do not depend on the order."""
    monkeypatch.setattr(context_processors, "_site_config", (math.inf, {"SITE_CONFIG": None}))


@pytest.fixture(autouse=True)
def _journal_anchors_per_test(settings, tmp_path) -> None:
    """Each test anchors the Aidants Connect journal in its own folder: a checkpoint left by
    another test's journal would not match this one's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "journal_anchors": {
            **settings.STORAGES["journal_anchors"],
            "OPTIONS": {"location": tmp_path / "journal-anchors", "file_permissions_mode": 0o444},
        },
    }


def _empty_append_only_tables_before_flush() -> None:
    """SQLite flushes with DELETE, which the append-only tables' triggers refuse: those tables
    are emptied first, their DELETE guards lifted and put back exactly as they were."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND sql LIKE '%BEFORE DELETE%'"
        )
        for name, table, sql in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a name from sqlite_master)
            cursor.execute(sql)


# Personas, shared by every test file: two structures in two départements and their people.


@pytest.fixture
def structure(db):
    return StructureFactory(departement_id="37")


@pytest.fixture
def other_structure(db):
    return StructureFactory(departement_id="33")


@pytest.fixture
def gestionnaire(structure):
    return MembershipFactory(structure=structure, role="gestionnaire").user


@pytest.fixture
def colleague(structure):
    return MembershipFactory(structure=structure, role="aidant").user


@pytest.fixture
def outsider(other_structure):
    return MembershipFactory(structure=other_structure, role="gestionnaire").user


@pytest.fixture
def anct(db):
    return UserFactory(is_anct=True)


@pytest.fixture
def prefecture_37(db):
    return PrefectureAgentFactory(departement_id="37").user


@pytest.fixture
def prefecture_region_centre(db):
    return PrefectureAgentFactory(departement_id=None, region_id="24").user


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
