import importlib
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from conseillers.models import SmicRate
from conseillers.smic import ensure_known_rates
from conseillers.subsidy.models import Regime, RegimeTranche
from conseillers.subsidy.regimes import ensure_regimes
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
    yield
    _empty_journal_before_flush()


def _empty_journal_before_flush() -> None:
    """SQLite flushes with DELETE, which the journal's append-only trigger refuses (PostgreSQL's
    TRUNCATE does not fire it): the journal is emptied first, with the trigger lifted."""
    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("mandats.migrations.0002_journal_append_only")
    with connection.cursor() as cursor:
        cursor.execute(triggers.SQLITE_DROP[1])
        cursor.execute("DELETE FROM mandats_journalentry")
        cursor.execute(triggers.SQLITE_CREATE[1])


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
