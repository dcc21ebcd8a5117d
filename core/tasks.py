import socket

from celery import shared_task
from django.utils import timezone

from core.login_policy import login_records_purge
from core.models import WorkerHeartbeat


@shared_task
def record_worker_heartbeat(worker_name: str | None = None) -> str:
    """Run every minute by beat: shows a worker consumes the queue and reaches the database."""
    name = worker_name or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return name


@shared_task
def purge_login_records() -> int:
    """Run hourly by beat: failure records past their use (the lock windows, then the
    retention for investigations) are deleted."""
    return login_records_purge()
