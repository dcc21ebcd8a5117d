"""A real Celery worker process consumes a task from the real Redis broker and writes to the
real PostgreSQL database: the production path, with nothing run in-process."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from backend.celery import app as celery_app
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from tests.services import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker_queue():
    """Starts `celery worker` on a queue of its own, so that no other worker steals the task."""
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    worker.terminate()
    output, _ = worker.communicate(timeout=30)
    print(output)  # shown by pytest only when the test fails


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_consumes_a_task_from_redis_and_writes_to_postgres(worker_queue):
    name = f"worker-{uuid.uuid4().hex[:8]}"
    with celery_app.connection_for_write(TEST_REDIS_URL) as conn:
        record_worker_heartbeat.apply_async(args=[name], queue=worker_queue, connection=conn)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if WorkerHeartbeat.objects.filter(name=name).exists():
            break
        time.sleep(0.2)
    heartbeat = WorkerHeartbeat.objects.get(name=name)
    assert heartbeat.seen_at is not None
