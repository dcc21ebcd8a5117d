"""The transactional outbox (core.outbox) on the real database: a side effect exists exactly when
its write does, reaches the broker when the broker is there, and runs once however often it is
published."""

import base64
import json
from datetime import timedelta

import pytest
import redis
from django.contrib.messages import get_messages
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from core.tasks import deliver_outbox_message
from mandats import services
from mandats.models import HabilitationStatus
from mandats.notifications import HABILITATION_VALIDATED_TASK
from tests.mandats.factories import HabilitationRequestFactory, reload
from tests.services import TEST_REDIS_URL
from tests.workers import celery_publishing_to, free_port

pytestmark = pytest.mark.django_db

DECISIONS = reverse("mandats:habilitation-decisions")


@pytest.fixture
def pending(db):
    return HabilitationRequestFactory()


def validate(pending, anct):
    return services.habilitation_request_validate(habilitation_request=pending, by=anct)


def validated_emails() -> list:
    return [
        m for m in mail.outbox if m.subject == "Aidants Connect : votre habilitation est validée"
    ]


# --- Written with the write, or not at all -----------------------------------------------------


def test_the_email_is_recorded_in_the_validations_own_transaction(pending, anct):
    validate(pending, anct)  # the test's transaction never commits: nothing is published

    (message,) = OutboxMessage.objects.all()
    assert (message.task_name, message.args) == (HABILITATION_VALIDATED_TASK, [pending.pk])
    assert message.delivered_at is None
    assert mail.outbox == []


def test_a_rolled_back_validation_leaves_no_message(pending, anct, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(services, "_log_transition", broken)
    with pytest.raises(RuntimeError):
        validate(pending, anct)

    assert not OutboxMessage.objects.exists()
    assert reload(pending).status == HabilitationStatus.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_enqueue_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        outbox.enqueue(HABILITATION_VALIDATED_TASK, 1)
    assert not OutboxMessage.objects.exists()


def test_an_unknown_task_fails_the_write_itself():
    with pytest.raises(KeyError), transaction.atomic():
        outbox.enqueue("core.tasks.no_such_task", 1)
    assert not OutboxMessage.objects.exists()


# --- Delivered once ------------------------------------------------------------------------------


def test_a_message_delivered_twice_sends_one_email(
    pending, anct, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        validate(pending, anct)
    (message,) = OutboxMessage.objects.all()
    assert message.delivered_at is not None
    assert len(validated_emails()) == 1

    assert outbox.deliver(message.pk) == "already"
    assert outbox.publish(message.pk)  # a copy published again by the sweep, say
    assert len(validated_emails()) == 1


# --- The broker down: the write succeeds, the message waits -------------------------------------


def test_a_broker_refusing_the_message_neither_fails_the_write_nor_loses_the_email(
    client, pending, anct, django_capture_on_commit_callbacks
):
    client.force_login(anct)
    url = reverse("mandats:habilitation-validate", args=[pending.pk])
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    with celery_publishing_to(nothing_listens), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302 and response.url == DECISIONS
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"L'habilitation de {pending.email} est validée."
    ]
    assert reload(pending).status == HabilitationStatus.VALIDATED
    (message,) = OutboxMessage.objects.all()
    assert message.delivered_at is None and message.published_at is None
    assert message.next_attempt_at <= timezone.now()
    assert message.last_error.startswith("publication : ")
    assert validated_emails() == []

    assert outbox.sweep() == 1  # the broker is back (in-process here)
    assert reload(message).delivered_at is not None
    assert len(validated_emails()) == 1


# --- A daily run: chunks of rows in each broker message -----------------------------------------


@pytest.mark.redis
def test_a_daily_run_travels_in_chunks_and_each_row_is_delivered_once(
    anct, django_capture_on_commit_callbacks
):
    requests = HabilitationRequestFactory.create_batch(outbox.PUBLISH_CHUNK + 1)
    broker = redis.Redis.from_url(TEST_REDIS_URL)
    broker.delete("celery")
    with (
        celery_publishing_to(TEST_REDIS_URL),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        outbox.enqueue_many(HABILITATION_VALIDATED_TASK, [(r.pk,) for r in requests])

    bodies = [json.loads(message)["body"] for message in broker.lrange("celery", 0, -1)]
    broker.delete("celery")
    published = sorted((json.loads(base64.b64decode(b))[0] for b in bodies), key=len)
    assert [len(ids) for ids in published] == [1, outbox.PUBLISH_CHUNK]
    assert OutboxMessage.objects.filter(published_at__isnull=False).count() == len(requests)

    # A worker takes each message; one taken twice (a redelivery) sends nothing more.
    outcomes = [deliver_outbox_message(*ids) for ids in [*published, published[1]]]
    chunk = outbox.PUBLISH_CHUNK
    assert outcomes == ["delivered", f"delivered: {chunk}", f"already: {chunk}"]
    assert sorted(m.to[0] for m in validated_emails()) == sorted(r.email for r in requests)


# --- The sweep ---------------------------------------------------------------------------------


def test_the_sweep_publishes_only_the_messages_due(anct):
    requests = HabilitationRequestFactory.create_batch(4)
    with transaction.atomic():
        rows = [outbox.enqueue(HABILITATION_VALIDATED_TASK, r.pk) for r in requests]
    now = timezone.now()
    due, on_its_way, delivered, given_up = rows
    OutboxMessage.objects.filter(pk=on_its_way.pk).update(
        published_at=now, next_attempt_at=now + timedelta(minutes=5)
    )
    OutboxMessage.objects.filter(pk=delivered.pk).update(delivered_at=now)
    OutboxMessage.objects.filter(pk=given_up.pk).update(next_attempt_at=None)

    assert outbox.sweep(now=now) == 1

    assert reload(due).delivered_at is not None
    assert [m.to for m in mail.outbox] == [[requests[0].email]]
    assert reload(on_its_way).delivered_at is None
    assert reload(given_up).delivered_at is None
    # Five minutes later, the message published but never delivered is published again.
    assert outbox.sweep(now=now + timedelta(minutes=5, seconds=1)) == 1
    assert reload(on_its_way).delivered_at is not None


def test_a_failed_delivery_is_recorded_and_retried_after_a_backoff(
    pending, anct, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # no mail server there
    with django_capture_on_commit_callbacks(execute=True):
        validate(pending, anct)
    (message,) = OutboxMessage.objects.all()
    assert (message.delivered_at, message.attempts) == (None, 1)
    assert "ConnectionRefusedError" in message.last_error
    first_retry = message.next_attempt_at
    assert timedelta(seconds=55) < first_retry - timezone.now() <= timedelta(minutes=1)

    assert outbox.sweep(now=first_retry - timedelta(seconds=1)) == 0
    outbox.sweep(now=first_retry)
    message = reload(message)
    assert message.attempts == 2
    assert timedelta(seconds=115) < message.next_attempt_at - timezone.now() <= timedelta(minutes=2)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    assert outbox.sweep(now=message.next_attempt_at) == 1
    assert reload(message).delivered_at is not None
    assert len(validated_emails()) == 1


def test_a_message_failing_too_often_is_given_up(pending, anct, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    validate(pending, anct)
    (message,) = OutboxMessage.objects.all()

    assert outbox.deliver(message.pk) == "failed"
    assert reload(message).next_attempt_at is None
    assert outbox.sweep(now=timezone.now() + timedelta(days=365)) == 0


def test_the_purge_deletes_only_messages_delivered_long_ago(anct):
    now = timezone.now()
    requests = HabilitationRequestFactory.create_batch(3)
    with transaction.atomic():
        old, recent, waiting = (outbox.enqueue(HABILITATION_VALIDATED_TASK, r.pk) for r in requests)
    OutboxMessage.objects.filter(pk=old.pk).update(delivered_at=now - timedelta(days=30, seconds=1))
    OutboxMessage.objects.filter(pk=recent.pk).update(delivered_at=now - timedelta(days=29))
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=90))

    assert outbox.purge(now=now) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_the_sweep_and_the_purge_are_scheduled_by_beat(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.tasks.sweep_outbox", "core.tasks.purge_outbox"} <= tasks
