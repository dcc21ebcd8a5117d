"""How verify_journal's walker processes start (`journal_walk.walk`).

A walker is a fresh interpreter (spawn): it unpickles `start` before anything else, so this module
imports nothing of Django's models; the walks it is then sent (`journal_walk._walk_job`) are
unpickled once `start` has set Django up with the caller's database and keys.
"""

from __future__ import annotations

from typing import Any


def start(database: dict[str, Any], seal_keys: dict[str, str]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["default"] = database  # type: ignore[assignment]  # the caller's own
    connections["default"].settings_dict.update(database)
    settings.JOURNAL_SEAL_KEYS = seal_keys
