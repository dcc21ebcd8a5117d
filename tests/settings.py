"""The one place where the test suite overrides the settings.

The environment still wins, so that CI can point DATABASE_URL at PostgreSQL and a worker process
started by a test can be given the broker it must consume from.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("FRANCECONNECT_MOCK_ENABLED", "1")
os.environ.setdefault("JOURNAL_SEAL_KEYS", "tests-1:tests-only-journal-seal-key-0123456789abcdef")
# A Fernet key for the TOTP cards' seeds (32 bytes of "tests-only-card-seed-key-0123456" in base64).
os.environ.setdefault(
    "AIDANTS_CONNECT_CARD_SEED_KEY", "dGVzdHMtb25seS1jYXJkLXNlZWQta2V5LTAxMjM0NTY="
)
# Journal checkpoints never land in var/ (each test gets its own folder: tests/conftest.py).
os.environ.setdefault("JOURNAL_ANCHOR_DIR", tempfile.mkdtemp(prefix="inclusion-tests-anchors-"))

from backend.settings import *  # noqa: F403

# A fast hasher: the suite creates hundreds of accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; the live server serves the app directories instead.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the apps (no collectstatic before the tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded files (CVs, justifications) go to a temporary folder, not to var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="inclusion-tests-media-"))
# PostgreSQL: Django's backend, but emptied between transactional tests with DELETE (see there).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
# SQLite: a file rather than memory, so that the live server's request threads open their own
# connections; an in-memory database is one connection shared across threads, which a request
# thread still closing a keep-alive socket after the server stopped may touch from the wrong
# thread.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"inclusion-tests-{os.getpid()}.sqlite3")
    }
# A worker process started by a test writes its emails here, for the test to read.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
