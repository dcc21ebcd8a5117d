"""A real worker killed (SIGKILL) in the middle of the daily due-tranches task: once a worker runs
again, every tranche falls due, each exactly once. The pool child killed: its message is given
back at once (reject_on_worker_lost). The whole worker killed: the message nobody acknowledged
comes back after the broker's visibility timeout, shortened here to seconds."""

import os
import re
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import SubsidyTransition, Tranche, TrancheState
from tests.conseillers.subsidy.helpers import Career
from tests.workers import send_to_worker, start_worker, stop_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

POSTS = 20
TRANCHES = 2 * POSTS  # ranks 1 and 2 fall due at month 13
WORKER_ENV = {
    "TASK_BATCH_SIZE": "4",
    # Tests only: each batch holds its transaction open 0.4 s, so the kill lands mid-batch.
    "TASK_BATCH_PAUSE_MS": "400",
    # Redelivery of an unacknowledged message within seconds (time limits 8 s and 6 s: a batch
    # of the loaded machine of a CI run stays far below).
    "CELERY_VISIBILITY_TIMEOUT": "10",
}
TASK = "conseillers.tasks.mark_tranches_due"


@pytest.fixture
def start(structure, gestionnaire, anct):
    start = add_months(timezone.localdate(), 1)
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=POSTS)
    for _ in range(POSTS):
        career.recruit(start)
    return start


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    """The workers a test starts, stopped after it whatever happened (their logs printed, shown
    by pytest when the test fails)."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for worker in started:
        stop_worker(worker)


def enqueue_due_task(queue: str, day) -> None:
    send_to_worker(queue, TASK, today=day.isoformat())


def due_count() -> int:
    return Tranche.objects.filter(state=TrancheState.DUE).count()


def batch_in_progress() -> bool:
    """A connection other than the test's holds a transaction open: the worker is inside a batch
    (its pause keeps the batch's transaction open), so a kill now lands mid-batch, whatever the
    load of the machine."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
        )
        return cursor.fetchone()[0] > 0


def pool_child(pid: int) -> int:
    """The pid of the prefork pool's process (concurrency 1) under the worker `pid`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            return int(stat.parent.name)
    raise AssertionError(f"aucun processus enfant du worker {pid}")


def assert_each_tranche_fell_due_once() -> None:
    assert due_count() == TRANCHES
    logs = list(
        SubsidyTransition.objects.filter(transition="mark_due").values_list("tranche", flat=True)
    )
    assert len(logs) == len(set(logs)) == TRANCHES


def test_the_pool_child_killed_mid_batch_its_message_is_run_again(start, workers):
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(queue, pool="prefork", env=WORKER_ENV)
    workers.append(worker)
    enqueue_due_task(queue, add_months(start, 13))
    wait_until(lambda: due_count() >= 8, timeout=60, what="deux lots validés")
    wait_until(batch_in_progress, timeout=30, what="un lot en cours")

    os.kill(pool_child(worker.pid), signal.SIGKILL)

    wait_until(lambda: due_count() == TRANCHES, timeout=60, what="toutes les tranches échues")
    assert_each_tranche_fell_due_once()
    log = stop_worker(worker)
    # The child died running a task, not between two: its message was the one run again.
    assert "WorkerLostError" in log, log


def test_the_whole_worker_killed_mid_batch_a_new_worker_finishes_the_work(start, workers):
    queue = f"test-{uuid.uuid4().hex}"
    first = start_worker(queue, pool="prefork", env=WORKER_ENV)
    workers.append(first)
    enqueue_due_task(queue, add_months(start, 13))
    wait_until(lambda: due_count() >= 8, timeout=60, what="deux lots validés")
    wait_until(batch_in_progress, timeout=30, what="un lot en cours")

    os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, as when a machine is lost
    log = stop_worker(first)
    received = set(re.findall(rf"Task {TASK}\[([0-9a-f-]+)\] received", log))
    succeeded = set(re.findall(rf"Task {TASK}\[([0-9a-f-]+)\] succeeded", log))
    assert len(received - succeeded) == 1, log  # killed holding one message, unacknowledged
    assert due_count() < TRANCHES

    workers.append(start_worker(queue, pool="prefork", env=WORKER_ENV))

    wait_until(lambda: due_count() == TRANCHES, timeout=90, what="toutes les tranches échues")
    assert_each_tranche_fell_due_once()
