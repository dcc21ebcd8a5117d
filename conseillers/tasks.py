"""Celery tasks of the programme. The subsidy's tasks live in conseillers.subsidy.tasks."""

from celery import shared_task
from django.utils import timezone

from conseillers import services


@shared_task
def flag_long_vacancies() -> int:
    """Daily: flags to ANCT the posts vacant beyond the window. Idempotent (one UPDATE)."""
    return services.posts_flag_long_vacancies(today=timezone.localdate())
