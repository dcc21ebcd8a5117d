"""Periodic Celery tasks of Aidants Connect: thin, idempotent, retry-safe. The database says what
is due; each task calls a service. The emails the services schedule live in
`mandats.notifications`."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from core.batches import enqueue_continuation
from mandats import beat, organisations, services
from mandats.journal_anchors import journal_anchor_heads
from mandats.notifications import (
    send_expiration_reminder_email,
    send_habilitation_validated_email,
)

# Merged into CELERY_BEAT_SCHEDULE by the settings, which import it from mandats.beat.
BEAT_SCHEDULE = beat.BEAT_SCHEDULE
# The email tasks, still reachable under this module for the callers written before the split.
__all__ = [
    "BEAT_SCHEDULE",
    "anchor_journal",
    "expire_unconfirmed_organisation_requests",
    "purge_expired_oidc_transactions",
    "purge_expired_usagers",
    "send_expiration_reminder_email",
    "send_expiration_reminders",
    "send_habilitation_validated_email",
]


@shared_task(bind=True)
def send_expiration_reminders(self: Task) -> int:
    """Daily: marks due mandates and enqueues one reminder email per organisation, one committed
    batch per message; a full batch enqueues the next message."""
    size = settings.TASK_BATCH_SIZE
    claimed = services.mandats_claim_expiration_reminders(batch_size=size)
    if claimed == size:
        enqueue_continuation(self)
    return claimed


@shared_task(bind=True)
def purge_expired_usagers(self: Task) -> int:
    """Daily: deletes the personal data past its six-year retention, one committed batch per
    message; a full batch enqueues the next message."""
    size = settings.TASK_BATCH_SIZE
    purged = services.usagers_purge_expired(batch_size=size, batches=1)
    if purged == size:
        enqueue_continuation(self)
    return purged


@shared_task
def purge_expired_oidc_transactions() -> None:
    """Daily: the FranceConnect login states (state, nonce) live in the sessions; expired
    sessions, and the transactions they hold, are deleted."""
    SessionStore().clear_expired()


@shared_task
def anchor_journal() -> int | None:
    """Every ten minutes: writes the signed checkpoint of the heads of the journal's chains that
    moved, outside the database (nothing when none did). Returns the number of heads anchored."""
    checkpoint = journal_anchor_heads()
    return len(checkpoint.heads) if checkpoint else None


@shared_task(bind=True)
def expire_unconfirmed_organisation_requests(self: Task) -> int:
    """Daily: the organisations' requests whose address was not confirmed in time are closed and
    their personal data erased; a full batch enqueues the next message."""
    expired = organisations.organisation_requests_expire_unconfirmed()
    if expired == organisations.EXPIRY_BATCH:
        enqueue_continuation(self)
    return expired
