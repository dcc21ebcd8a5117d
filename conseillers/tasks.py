"""Celery tasks of the programme. The subsidy's tasks live in conseillers.subsidy.tasks."""

from celery import shared_task
from django.utils import timezone

from conseillers import matching, services
from conseillers.dashboard.snapshot import dashboard_refresh


@shared_task
def flag_long_vacancies() -> int:
    """Daily: flags to ANCT the posts vacant beyond the window. Idempotent (one UPDATE)."""
    return services.posts_flag_long_vacancies(today=timezone.localdate())


@shared_task
def refresh_proposals() -> int:
    """Nightly: proposes to every recruiting structure the candidates now within reach and
    withdraws those no longer offered (set-based; running it twice changes nothing). Returns the
    new proposals."""
    return matching.proposals_refresh().new_proposals


@shared_task
def refresh_dashboard() -> None:
    """Every few minutes: the territorial dashboard's figures aggregated again (about a hundred
    rows upserted in one transaction; running it twice does no harm)."""
    dashboard_refresh(now=timezone.now())
