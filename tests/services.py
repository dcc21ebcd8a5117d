"""Which real services the suite can reach, for the `postgres`, `redis` and `browser` markers."""

import os
import shutil
from functools import cache

import redis
from django.db import connection


def _redis_url_of_this_process(url: str) -> str:
    """Under pytest-xdist each test process takes its own Redis database, counting down from the
    configured one (gw0 keeps it, gw1 the one below…), as pytest-django gives each its own test
    database: a queue or a key of one process is never read by another."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    return f"{base}/{int(db or 0) - int(worker[2:])}"


TEST_REDIS_URL = _redis_url_of_this_process(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)
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
