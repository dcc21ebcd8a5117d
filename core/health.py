"""Checks behind /healthz: each returns (ok, message in French)."""

from django.conf import settings
from django.db import connection

from backend.celery import app as celery_app


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, f"injoignable : {exc.__class__.__name__}"
    return True, "disponible"


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "non utilisé : les tâches s'exécutent dans le processus (démonstration)"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return False, f"injoignable : {exc.__class__.__name__}"
    return True, "disponible"
