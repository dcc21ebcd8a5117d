"""The subsidy's beat tasks work one committed batch per message and enqueue their continuation:
no message runs long, and one redelivered (a killed worker's) redoes nothing already done."""

import pytest
from django.utils import timezone

from conseillers.subsidy import services as subsidy
from conseillers.subsidy import tasks
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import SubsidyTransition, Subvention, Tranche, TrancheState
from tests.conseillers.subsidy.helpers import Career

pytestmark = pytest.mark.django_db


@pytest.fixture
def start():
    return add_months(timezone.localdate(), 1)


@pytest.fixture
def five_posts(structure, gestionnaire, anct, start) -> Career:
    """Five posts recruited next month: at month 13, ten tranches (ranks 1 and 2) fall due."""
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=5)
    for _ in range(5):
        career.recruit(start)
    return career


def mark_due_logs() -> list[int]:
    return list(
        SubsidyTransition.objects.filter(transition="mark_due").values_list("tranche", flat=True)
    )


def test_a_bounded_run_stops_after_its_batches_and_says_where_to_go_on(five_posts, start):
    day = add_months(start, 13)
    first = subsidy.tranches_mark_due(today=day, batch_size=4, batches=1)
    assert first.due == 4
    assert first.resume_after == max(mark_due_logs())
    assert Tranche.objects.filter(state=TrancheState.DUE).count() == 4

    second = subsidy.tranches_mark_due(today=day, batch_size=4, after=first.resume_after, batches=2)
    assert (second.due, second.resume_after) == (6, None)


def test_a_batch_run_again_from_the_same_cursor_transitions_nothing_twice(five_posts, start):
    day = add_months(start, 13)
    subsidy.tranches_mark_due(today=day, batch_size=4, batches=1)
    # The message of a worker killed after its batch committed comes back with the same cursor.
    again = subsidy.tranches_mark_due(today=day, batch_size=4, batches=1)
    assert again.due == 4  # the next four: the first four are no longer planned
    logs = mark_due_logs()
    assert len(logs) == len(set(logs)) == 8


def test_the_due_task_enqueues_itself_until_every_tranche_is_due(five_posts, start, settings):
    settings.TASK_BATCH_SIZE = 3
    day = add_months(start, 13)
    first = tasks.mark_tranches_due.delay(today=day.isoformat()).get()
    # Run eagerly, each continuation ran within the first message; it reports its own batch.
    assert first["due"] == 3
    assert first["resume_after"] is not None
    assert Tranche.objects.filter(state=TrancheState.DUE).count() == 10
    logs = mark_due_logs()
    assert len(logs) == len(set(logs)) == 10


def test_the_reconciliation_goes_on_through_its_phases_in_bounded_runs(five_posts, start):
    matches = [subvention.holder for subvention in Subvention.objects.order_by("pk")]
    for match in matches[:3]:
        five_posts.rupture(match, add_months(start, 2))
    day = add_months(start, 30)  # vacancies past their window; the two others fully served
    reports, resume = [], None
    while True:
        report = subsidy.subventions_reconcile(today=day, batch_size=2, resume=resume, batches=1)
        reports.append(report)
        if report.resume is None:
            break
        resume = report.resume
    assert sum(r.closed for r in reports) == 3
    assert sum(r.completed for r in reports) == 2
    assert SubsidyTransition.objects.filter(transition="close").count() == 5
    assert subsidy.subventions_reconcile(today=day) == subsidy.ReconcileReport()


def test_the_reconciliation_task_enqueues_itself_until_nothing_is_left(five_posts, start, settings):
    settings.TASK_BATCH_SIZE = 1
    day = add_months(start, 30)
    first = tasks.reconcile_subventions.delay(today=day.isoformat()).get()
    assert first["completed"] == 1
    assert first["resume"] is not None
    assert SubsidyTransition.objects.filter(transition="close").count() == 5
