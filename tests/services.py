"""Which real services the suite can reach, for the `postgres`, `redis` and `browser` markers."""

import os
import shutil
import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

import redis
from django.db import connection

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def postgres_available() -> tuple[bool, str]:
    if connection.vendor == "postgresql":
        return True, ""
    return False, "la base de test n'est pas PostgreSQL (DATABASE_URL=postgres://…)"


@cache
def redis_available() -> tuple[bool, str]:
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return False, f"Redis injoignable sur {TEST_REDIS_URL} ({exc.__class__.__name__})"
    return True, ""


def browser_available() -> tuple[bool, str]:
    if os.path.exists(CHROMIUM_PATH):
        return True, ""
    return False, f"Chromium introuvable ({CHROMIUM_PATH}) : apt-get install chromium"


CHECKS = {"postgres": postgres_available, "redis": redis_available, "browser": browser_available}


ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, for a process started by a test (a worker) to write where it reads."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_celery_worker(
    queue: str, *, pool: str = "solo", env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """A real `celery worker` on a queue of its own (no other worker steals its tasks), writing to
    the test database, in a session of its own so that a fault test can kill it whole."""
    return subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "backend", "worker", f"--pool={pool}", "--concurrency=1"),
            *("-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"),
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": TEST_REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop_celery_worker(worker: subprocess.Popen[str]) -> str:
    """Stops the worker (if still running) and returns what it logged."""
    if worker.poll() is None:
        worker.terminate()
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output


def send_to_worker(queue: str, task_name: str, *args: object, **kwargs: object) -> None:
    """Sends a task's message to the real broker, for the worker of `queue`. `send_task`, not
    `apply_async`: the test settings run tasks eagerly, and `apply_async` would run it here."""
    from celery.exceptions import AlwaysEagerIgnored

    from backend.celery import app

    with app.connection_for_write(TEST_REDIS_URL) as conn, warnings.catch_warnings():
        # Celery warns that eager mode does not apply to send_task: that is the point here.
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        app.send_task(task_name, args=args, kwargs=kwargs, queue=queue, connection=conn)
