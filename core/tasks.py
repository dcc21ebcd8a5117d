import socket

from celery import shared_task
from django.utils import timezone

from core import outbox
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


@shared_task(name=outbox.DELIVER_TASK)
def deliver_outbox_message(message_id: int) -> str:
    """Runs one outbox row's task, once however many times the row is published."""
    return outbox.deliver(message_id)


@shared_task
def sweep_outbox() -> int:
    """Run every minute by beat: publishes again the side effects still waiting (the broker was
    down when their write committed, their message was lost, or their delivery failed)."""
    return outbox.sweep()


@shared_task
def purge_outbox() -> int:
    """Run daily by beat: delivered rows past their retention are deleted."""
    return outbox.purge()
