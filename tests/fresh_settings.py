"""Django booted with `backend.settings` in a fresh interpreter, as gunicorn or `make run` would:
the settings read the environment once, at import, so what they decide from it can be seen only
in a new process."""

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def boot(code: str, *, drop: Iterable[str] = (), **env: str) -> subprocess.CompletedProcess[str]:
    """Runs `code` (which calls django.setup()) with the test environment minus `drop`, plus
    `env`, under backend.settings. The caller asserts on the return code and the output."""
    removed = set(drop)
    environment = {k: v for k, v in os.environ.items() if k not in removed}
    environment.update({"DJANGO_SETTINGS_MODULE": "backend.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
