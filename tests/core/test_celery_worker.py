"""A real Celery worker process consumes a task from the real Redis broker and writes to the
real PostgreSQL database: the production path, with nothing run in-process."""

import uuid

import pytest

from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from tests.workers import send_to_worker, start_worker, stop_worker, wait_until


@pytest.fixture
def worker_queue():
    """Starts `celery worker` on a queue of its own, so that no other worker steals the task."""
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(queue)
    yield queue
    stop_worker(worker)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_a_task_from_redis_and_writes_to_postgres(worker_queue):
    name = f"worker-{uuid.uuid4().hex[:8]}"
    send_to_worker(worker_queue, record_worker_heartbeat.name, name)

    wait_until(WorkerHeartbeat.objects.filter(name=name).exists)
    heartbeat = WorkerHeartbeat.objects.get(name=name)
    assert heartbeat.seen_at is not None
