"""On PostgreSQL, where row locks are real: paying a tranche from many threads at once records
one payment; two beat workers at once share the work and do nothing twice."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import (
    NoticeImportSource,
    Payment,
    Recovery,
    SubsidyTransition,
    Tranche,
    TrancheState,
)
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def at_once(call: Callable[[int], object], count: int = THREADS) -> list[object]:
    """Runs `call(i)` in `count` threads released together, each on its own connection."""
    start = threading.Barrier(count)

    def run(i: int) -> object:
        try:
            start.wait()
            return call(i)
        except ValidationError as error:
            return error.messages[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def approved(career) -> Tranche:
    tranche = career.tranches(career.recruit(months_ago(1)))[0]
    return subsidy.tranche_approve(tranche=tranche, by=career.anct)


def test_simultaneous_payments_of_a_tranche_record_exactly_one(approved, anct):
    day = timezone.localdate()

    def pay(i: int) -> object:
        return subsidy.payment_record(tranche=approved, reference=f"BDT-{i}", paid_on=day, by=anct)

    outcomes = at_once(pay)
    payments = [o for o in outcomes if isinstance(o, Payment)]
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert len(payments) == 1
    assert len(refusals) == THREADS - 1
    assert all(
        r.startswith(f"La tranche {approved.order_reference} est déjà payée") for r in refusals
    )
    assert Payment.objects.count() == 1
    assert SubsidyTransition.objects.filter(transition="pay").count() == 1


def test_the_same_payment_from_many_workers_at_once_is_recorded_once(approved, anct):
    day = timezone.localdate()
    outcomes = at_once(
        lambda i: subsidy.payment_record(tranche=approved, reference="BDT-1", paid_on=day, by=anct)
    )
    assert {o.pk for o in outcomes} == {Payment.objects.get().pk}


def test_two_beat_workers_marking_due_at_once_log_each_tranche_once(structure, gestionnaire, anct):
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=30)
    start = add_months(timezone.localdate(), 1)
    for _ in range(30):
        career.recruit(start)
    reports = at_once(
        lambda i: subsidy.tranches_mark_due(today=add_months(start, 13), batch_size=4), count=4
    )
    assert sum(report.due for report in reports) == 60
    assert Tranche.objects.filter(state=TrancheState.DUE).count() == 60
    logs = SubsidyTransition.objects.filter(transition="mark_due")
    assert logs.count() == logs.values("tranche").distinct().count() == 60


def test_two_reconciliations_at_once_close_each_post_once(structure, gestionnaire, anct):
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=10)
    start = add_months(timezone.localdate(), 1)
    matches = [career.recruit(start) for _ in range(10)]
    subsidy.tranches_mark_due(today=start)
    for match in matches:
        career.pay(career.tranches(match)[0], f"BDT-{match.pk}", start)
        career.rupture(match, add_months(start, 2))
    reports = at_once(
        lambda i: subsidy.subventions_reconcile(today=add_months(start, 9), batch_size=3), count=4
    )
    assert sum(report.closed for report in reports) == 10
    assert Recovery.objects.count() == 10
    assert SubsidyTransition.objects.filter(transition="close").count() == 10


def test_notice_files_naming_the_same_orders_in_another_order_import_at_once(career, anct):
    """Once a deadlock (a 500 for one of them): each import locked its orders line by line."""
    from tests.conseillers.subsidy.test_payment_notices import csv_file, notice

    tranches = [
        subsidy.tranche_approve(tranche=career.tranches(career.recruit(months_ago(2)))[0], by=anct)
        for _ in range(3)
    ]
    lines = [notice(tranche, reference=f"BDT-{i}") for i, tranche in enumerate(tranches)]
    files = [csv_file(*lines), csv_file(*reversed(lines))]

    def run(i: int) -> object:
        report, _ = subsidy.payment_notices_import(
            content=files[i % 2],
            file_name="avis.csv",
            dry_run=False,
            source=NoticeImportSource.API,
            by=anct,
        )
        return report.applied, report.counts["nouveau"]

    outcomes = at_once(run, 8)

    assert sorted(outcomes) == [(True, 0)] * 7 + [(True, 3)]
    assert Payment.objects.count() == 3
