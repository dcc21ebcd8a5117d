"""Real Celery workers and real Redis servers started by the tests that need them, and the test
process's Celery pointed at a real broker for the length of one test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import redis
from celery.exceptions import AlwaysEagerIgnored
from django.db import connection

from backend.celery import app as celery_app
from tests.services import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, for a worker process to write where the test reads."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(
    queue: str,
    *,
    broker_url: str = TEST_REDIS_URL,
    pool: str = "solo",
    beat: bool = False,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """A real `celery worker` consuming only `queue` of `broker_url` (no other worker steals its
    tasks), writing to the test database, in a session of its own so that a fault test can kill
    it whole. With `beat`, the worker runs the beat schedule too, as the demo's does."""
    return subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "backend", "worker", f"--pool={pool}", "--concurrency=1"),
            *("-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"),
            *(["-B"] if beat else []),
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen[str]) -> str:
    """Warm shutdown (the task at hand finishes) if still running; returns the worker's log,
    also printed (pytest shows it only when the test fails)."""
    if worker.poll() is None:
        worker.terminate()
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    print(output)
    return output


def send_to_worker(queue: str, task_name: str, *args: object, **kwargs: object) -> None:
    """Sends a task's message to the real broker, for the worker of `queue`. `send_task`, not
    `apply_async`: the test settings run tasks eagerly, and `apply_async` would run it here."""
    with celery_app.connection_for_write(TEST_REDIS_URL) as conn, warnings.catch_warnings():
        # Celery warns that eager mode does not apply to send_task: that is the point here.
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        celery_app.send_task(task_name, args=args, kwargs=kwargs, queue=queue, connection=conn)


def wait_until(
    condition: Callable[[], object], *, timeout: float = 60.0, what: str | Callable[[], str] = ""
) -> None:
    """Polls a real subprocess's doing (there is no clock to move for another process); `what`
    describes the awaited state in the failure."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"pas atteint en {timeout} s : {described or condition}")
        time.sleep(0.1)


@contextmanager
def celery_publishing_to(broker_url: str) -> Iterator[None]:
    """The test process publishes to `broker_url` instead of running tasks in-process."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = broker_url, False
    _forget_broker_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _forget_broker_connections()


def _forget_broker_connections() -> None:
    # The pools stay in kombu's registry, keyed by URL: dropped here, not closed.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A `redis-server` of the test's own, on a port of its own, that the test stops and starts
    again (the shared Redis of the other tests is never touched)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False
