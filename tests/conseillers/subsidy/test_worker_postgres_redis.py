"""The beat tasks and the payment task consumed by a real Celery worker from Redis, writing to
PostgreSQL: the production path. A payment message delivered twice pays once."""

import time
import uuid
from decimal import Decimal

import pytest

from conseillers.models import SmicRate
from conseillers.subsidy import services as subsidy
from conseillers.subsidy import tasks
from conseillers.subsidy.models import Payment, SubsidyTransition, SubventionState, TrancheState
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from tests.conseillers.subsidy.helpers import months_ago
from tests.core.test_celery_worker import worker_queue  # noqa: F401 - the fixture
from tests.workers import send_to_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def wait_for_worker(queue: str) -> None:
    """A heartbeat sent last comes back once the single worker has consumed everything before."""
    name = f"fin-{uuid.uuid4().hex[:8]}"
    send_to_worker(queue, record_worker_heartbeat.name, name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(name=name).exists():
            return
        time.sleep(0.2)
    raise AssertionError("le worker n'a pas consommé les tâches en 60 secondes")


def send(queue: str, task, *args) -> None:
    send_to_worker(queue, task.name, *args)


def test_a_real_worker_runs_the_beat_tasks_and_pays_a_duplicated_message_once(
    worker_queue,  # noqa: F811
    career,
    anct,
):
    # Three posts: one whose month-12 tranche is past due; one whose month-12 tranche was
    # blocked by a wrong SMIC rate, since corrected; one whose conseiller left a year ago (its
    # window is over: the post must close).
    current = career.recruit(months_ago(13))
    wrong = SmicRate.objects.create(valid_from=months_ago(12), hourly_gross=Decimal("12.50"))
    low = career.recruit(months_ago(13), salary=Decimal("1810.00"))
    left = career.recruit(months_ago(20))
    career.rupture(left, months_ago(12))
    subvention = career.subvention(current)
    first = subsidy.tranche_approve(tranche=subvention.tranches.get(rank=1), by=anct)
    second = subvention.tranches.get(rank=2)
    assert second.state == TrancheState.DUE
    blocked = career.subvention(low).tranches.get(rank=2)
    assert blocked.state == TrancheState.BLOCKED
    wrong.hourly_gross = Decimal("11.90")
    wrong.save()

    send(worker_queue, tasks.reconcile_subventions)
    send(worker_queue, tasks.mark_tranches_due)
    for _ in range(2):  # the same payment message, delivered twice
        send(worker_queue, tasks.record_payment, first.pk, "BDT-REDIS", "2026-03-02", anct.pk)
    send(worker_queue, tasks.record_payment, first.pk, "BDT-AUTRE", "2026-03-03", anct.pk)
    send(worker_queue, tasks.remind_missing_justifications)
    wait_for_worker(worker_queue)

    assert career.subvention(left).state == SubventionState.CLOSED
    assert Payment.objects.filter(tranche=first).count() == 1
    assert Payment.objects.get(tranche=first).reference == "BDT-REDIS"
    assert SubsidyTransition.objects.filter(tranche=first, transition="pay").count() == 1
    second.refresh_from_db()
    assert second.reminded_at is not None
    blocked.refresh_from_db()
    assert blocked.state == TrancheState.DUE
    unblock = blocked.transitions.get(transition="unblock")
    assert (unblock.by, unblock.system) == (None, subsidy.SYSTEM_DUE)
