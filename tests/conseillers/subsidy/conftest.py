import datetime

import pytest
from django.utils import timezone

from conseillers.subsidy.models import Regime, RegimeTranche
from conseillers.subsidy.regimes import ensure_regimes
from tests.conseillers.subsidy.helpers import Career
from tests.factories import MembershipFactory, StructureFactory


@pytest.fixture(autouse=True)
def _regimes_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """The shipped regimes come from a data migration, which a transactional test's flush
    empties: they are loaded again (idempotently) for the tests that need them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_regimes(Regime, RegimeTranche)


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def france_relance(db) -> Regime:
    return Regime.objects.get(code="france-relance-2021")


@pytest.fixture
def renewal_2023(db) -> Regime:
    return Regime.objects.get(code="reconventionnement-2023")


@pytest.fixture
def career(structure, gestionnaire, anct) -> Career:
    """Recruitments, ruptures and replacements at the structure, through the real services."""
    return Career(structure=structure, manager=gestionnaire, anct=anct)


@pytest.fixture
def private_structure(db):
    return StructureFactory(departement_id="37", privee=True)


@pytest.fixture
def private_manager(private_structure):
    return MembershipFactory(structure=private_structure, role="gestionnaire").user
