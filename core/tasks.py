import socket
from collections import Counter

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.links import absolute, password_link
from core.login_policy import login_records_purge
from core.models import Role, Structure, User, WorkerHeartbeat
from core.services import ACCOUNT_WELCOME_TASK


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
def deliver_outbox_message(*message_ids: int) -> str:
    """Runs the task of each outbox row of the message (one, or a chunk of a daily run), once
    however many times the row is published."""
    outcomes = [outbox.deliver(message_id) for message_id in message_ids]
    if len(outcomes) == 1:
        return outcomes[0]
    return ", ".join(f"{outcome}: {count}" for outcome, count in Counter(outcomes).items())


@shared_task
def sweep_outbox() -> int:
    """Run every minute by beat: publishes again the side effects still waiting (the broker was
    down when their write committed, their message was lost, or their delivery failed)."""
    return outbox.sweep()


@shared_task
def purge_outbox() -> int:
    """Run daily by beat: delivered rows past their retention are deleted."""
    return outbox.purge()


@shared_task(name=ACCOUNT_WELCOME_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_welcome_email(user_id: int, by_id: int, structure_id: int | None = None) -> int:
    """The account created by ANCT, or the colleague invited by a manager: a single-use link to
    choose a password (none for a person who already has one: they just log in)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    by = User.objects.filter(pk=by_id).first()
    if user is None or by is None:
        return 0
    context = {
        "user": user,
        "by": by,
        "structure": Structure.objects.filter(pk=structure_id).first() if structure_id else None,
        "password_link": None if user.has_usable_password() else password_link(user.email),
        "login_link": absolute(reverse("core:login")),
        "roles": [Role(role).label for role in user.roles],
    }
    body = render_to_string("core/emails/account_welcome.txt", context)
    return send_mail(
        "Inclusion numérique : votre accès", body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
