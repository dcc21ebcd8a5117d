"""Extensions under concurrency, on PostgreSQL: the match and contract rows are locked, so
simultaneous requests leave one pending, and a validation racing a cancellation decides once."""

import datetime
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from conseillers.extensions import services
from conseillers.extensions.models import ContractExtension, ExtensionTransition
from conseillers.models import Contract, MatchState
from tests.conseillers.extensions.conftest import career
from tests.factories import MembershipFactory, StructureFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ATTEMPTS = 12


def race(calls: list[Callable[[], object]]) -> list[str]:
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        try:
            start.wait()
            call()
            return "ok"
        except (ValidationError, PermissionDenied) as error:
            return type(error).__name__
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def scene():
    structure = StructureFactory(departement_id="37")
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    match = career(structure, MatchState.FINALISED, timezone.localdate())
    return match, manager, UserFactory(is_anct=True)


def test_simultaneous_requests_leave_exactly_one_pending(scene):
    match, manager, _ = scene
    end = match.contract.end_date

    def ask(days: int) -> Callable[[], object]:
        return lambda: services.extension_request(
            match=match, requested_end_date=end + datetime.timedelta(days=days), by=manager
        )

    outcomes = race([ask(days) for days in range(1, ATTEMPTS + 1)])
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "PermissionDenied"}
    assert ContractExtension.objects.pending().count() == 1


def test_a_validation_racing_a_cancellation_decides_once(scene):
    match, manager, anct = scene
    extension = services.extension_request(
        match=match,
        requested_end_date=match.contract.end_date + datetime.timedelta(days=90),
        by=manager,
    )
    outcomes = race(
        [
            lambda: services.extension_validate(extension=extension, by=anct),
            lambda: services.extension_cancel(extension=extension, by=manager),
        ]
    )
    assert sorted(outcomes) == ["PermissionDenied", "ok"]
    decided = ContractExtension.objects.get(pk=extension.pk)
    assert ExtensionTransition.objects.filter(extension=extension).count() == 2
    end = Contract.objects.get(pk=match.contract.pk).end_date
    if decided.state == "validee":
        assert end == extension.requested_end_date
    else:
        assert (decided.state, end) == ("annulee", extension.previous_end_date)
