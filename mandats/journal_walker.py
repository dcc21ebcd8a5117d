"""The entry points of verify_journal's walker processes (`journal_walk.walk`).

A walker is a fresh interpreter (spawn): this module is what it unpickles first, so it imports
nothing of Django's models until `start` has set Django up with the caller's database and keys.
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


def walk_job(job: tuple[Any, Any, int, int]) -> Any:
    from mandats.journal_walk import walk_segment

    return walk_segment(*job)
