"""The transactional outbox: side effects decided by a write survive a broker outage.

A service records each side effect (an email, a follow-up task) with `enqueue()` inside its own
transaction, so the effect exists exactly when the write does. Once the transaction commits, the
relay publishes the row to Celery; a broker error is logged, never raised to the person whose
write is already committed. The sweep (`core.tasks.sweep_outbox`, every minute) publishes again
what is still pending. A message may therefore reach a worker twice: `deliver()` locks the row and
runs the task's body only while the row is undelivered, marking it delivered in the same
transaction, so a row delivered twice sends one email.

In eager mode (the demo, the tests) publishing runs the delivery in-process: the same path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.celery import app as celery_app
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_TASK = "core.tasks.deliver_outbox_message"
# A daily run records thousands of rows (a reminder per structure): they travel this many to a
# broker message, each row still delivered once by whichever worker takes it.
PUBLISH_CHUNK = 50
# A failed delivery is tried again after 1, 2, 4… minutes, never more than 6 hours apart.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def enqueue(task_name: str, *args: object) -> OutboxMessage:
    """Records that `task_name(*args)` must run once the current transaction commits. Refused
    outside a transaction: the row would be committed alone, whether or not the write is."""
    (message,) = enqueue_many(task_name, [args])
    return message


def enqueue_many(task_name: str, calls: Iterable[Sequence[object]]) -> list[OutboxMessage]:
    """`enqueue` for a batch (one reminder per structure of a daily run): one INSERT, and after
    commit one publication of them all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue() must run inside the write's transaction.atomic().")
    _task(task_name)  # an unknown name fails the write now, not a worker later
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=task_name, args=list(args)) for args in calls]
    )
    if messages:
        transaction.on_commit(partial(publish_many, [message.pk for message in messages]))
    return messages


def publish(message_id: int, *, now: datetime | None = None) -> bool:
    """Hands the row to the broker. False when the broker refused it: the row stays due, and the
    next sweep tries again; nothing is raised, the write that decided it is committed."""
    return publish_many([message_id], now=now) == 1


def publish_many(message_ids: Sequence[int], *, now: datetime | None = None) -> int:
    """Hands the rows to the broker, in order, and returns how many it took; at the first refusal
    the rest stay due for the next sweep (the broker is down). Two UPDATEs whatever the count."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(pk__in=message_ids, delivered_at__isnull=True)
    # Set before publishing: an eager delivery (or a fast worker) may record its own backoff.
    pending.update(next_attempt_at=now + timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER_SECONDS))
    published: list[int] = []
    for start in range(0, len(message_ids), PUBLISH_CHUNK):
        chunk = tuple(message_ids[start : start + PUBLISH_CHUNK])
        try:
            _task(DELIVER_TASK).apply_async(args=chunk, retry=False)
        except Exception as exc:
            logger.warning(
                "Outbox : message %s non publié (%s), le balayage le republiera.",
                chunk[0],
                exc.__class__.__name__,
            )
            refused = pending.exclude(pk__in=published)
            refused.update(next_attempt_at=now, last_error=f"publication : {exc!r}"[:2000])
            break
        published.extend(chunk)
    OutboxMessage.objects.filter(pk__in=published).update(published_at=now)
    return len(published)


def deliver(message_id: int) -> str:
    """Runs the row's task once: 'delivered', 'already' (delivered before, or purged) or
    'failed' (recorded, retried by the sweep after the backoff)."""
    with transaction.atomic():
        # Two copies of the message at once: the second waits for the row and finds it delivered.
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.delivered_at is not None:
            return "already"
        try:
            with transaction.atomic():
                _task(message.task_name)(*message.args)
        except Exception as exc:
            _record_failure(message, exc)
            return "failed"
        message.delivered_at = timezone.now()
        message.save(update_fields=["delivered_at"])
    return "delivered"


def _task(name: str) -> Task:
    if name not in celery_app.tasks:
        # Outside a worker, the apps' task modules are imported only when asked for.
        celery_app.loader.import_default_modules()
    return celery_app.tasks[name]


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    logger.warning("Outbox : échec de %s", message, exc_info=exc)
    message.attempts += 1
    message.last_error = repr(exc)[:2000]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.next_attempt_at = None  # given up: shown in the admin, for a person to look at
    else:
        message.next_attempt_at = timezone.now() + min(
            BACKOFF_BASE * 2 ** (message.attempts - 1), BACKOFF_MAX
        )
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def sweep(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Publishes again the rows still due; stops at the first broker error (the broker is down,
    the next sweep will do). Returns how many were published."""
    now = now or timezone.now()
    due = OutboxMessage.objects.due(now).order_by("next_attempt_at", "pk")
    return publish_many(list(due.values_list("pk", flat=True)[:batch_size]), now=now)


def purge(*, now: datetime | None = None) -> int:
    """Deletes the rows delivered more than OUTBOX_RETENTION_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted
