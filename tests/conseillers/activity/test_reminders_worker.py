"""The reminder task on the production path: a real Celery worker takes it from Redis and writes
to PostgreSQL; sent twice, it reminds once."""

import datetime
import uuid

import pytest

from conseillers.activity import reminders
from conseillers.activity.models import ActivityReminder
from core.models import OutboxMessage, WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import MatchFactory
from tests.workers import send_to_worker, start_worker, stop_worker, wait_until


@pytest.fixture
def worker_queue():
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(queue)
    yield queue
    stop_worker(worker)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reminds_a_silent_conseiller_once(worker_queue, structure):
    match = MatchFactory(structure=structure, finalised=True)
    ActivityFactory(match=match, date=datetime.date(2026, 3, 2))
    task = "conseillers.activity.tasks.remind_silent_conseillers"
    send_to_worker(worker_queue, task, "2026-04-02")
    send_to_worker(worker_queue, task, "2026-04-03")
    # One worker, one process: the sentinel runs after both.
    sentinel = f"sentinel-{uuid.uuid4().hex[:8]}"
    send_to_worker(worker_queue, record_worker_heartbeat.name, sentinel)
    wait_until(WorkerHeartbeat.objects.filter(name=sentinel).exists)
    reminder = ActivityReminder.objects.get()
    assert (reminder.match_id, reminder.silent_since) == (match.pk, datetime.date(2026, 3, 2))
    assert OutboxMessage.objects.filter(task_name=reminders.SEND_TASK).count() == 1
