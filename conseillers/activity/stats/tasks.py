"""Celery tasks of the activity figures: thin, idempotent (each replaces rows in a transaction)."""

from celery import shared_task
from django.utils import timezone

from .refresh import figures_rebuild, figures_refresh, open_window


@shared_task
def refresh_activity_figures() -> None:
    """Every few minutes: the days whose records may still change, and their months."""
    start, end = open_window(timezone.localdate())
    figures_refresh(start=start, end=end, now=timezone.now())


@shared_task
def rebuild_activity_figures() -> None:
    """Nightly: every figure from every record (catches what bypassed the services)."""
    figures_rebuild(now=timezone.now())
