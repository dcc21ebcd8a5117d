import socket

from celery import shared_task
from django.utils import timezone

from core.models import WorkerHeartbeat


@shared_task
def record_worker_heartbeat(worker_name: str | None = None) -> str:
    """Run every minute by beat: shows a worker consumes the queue and reaches the database."""
    name = worker_name or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return name
