"""Redis stopped under the product: a Redis server of the test's own is the cache and the broker,
and is stopped mid-test. Login, pages, the API and writes keep answering as usual; the email a
write decided waits in the outbox and arrives, once, after Redis is back and a real worker runs."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core import outbox
from core.models import OutboxMessage
from mandats.models import HabilitationStatus
from tests.mandats.factories import HabilitationRequestFactory, reload
from tests.workers import (
    RedisServer,
    celery_publishing_to,
    start_worker,
    stop_worker,
    wait_until,
)

LOGIN = reverse("core:login")
DECISIONS = reverse("mandats:habilitation-decisions")
PASSWORD = "mot-de-passe-de-test"  # tests.factories.UserFactory's


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.fixture
def redis_cache(settings, own_redis):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": own_redis.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_the_cache_reads_as_empty_while_redis_is_down_and_works_again_after(own_redis, redis_cache):
    cache.set("clé", "valeur")
    assert cache.get("clé") == "valeur"

    own_redis.stop()
    assert cache.get("clé") is None
    assert cache.get("clé", "défaut") == "défaut"
    cache.set("clé", "autre")  # dropped, not raised
    assert cache.add("clé", "autre") is False
    assert cache.get_many(["clé"]) == {}
    with pytest.raises(ValueError):
        cache.incr("compteur")

    own_redis.start()
    cache.set("clé", "revenue")
    assert cache.get("clé") == "revenue"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_people_log_in_read_and_write_and_the_email_arrives_once_after(
    client, anct, own_redis, redis_cache, tmp_path: Path
):
    pending = HabilitationRequestFactory()
    with celery_publishing_to(own_redis.url(0)):
        own_redis.stop()

        login = client.post(LOGIN, {"username": anct.email, "password": PASSWORD})
        assert login.status_code == 302
        page = client.get(DECISIONS)
        assert page.status_code == 200 and pending.email in page.content.decode()
        # The API's login counts its requests in the cache (DRF's throttle).
        program = Client()
        token = program.post(
            "/api/jeton/", {"email": anct.email, "password": PASSWORD}, "application/json"
        )
        assert token.status_code == 200
        me = program.get("/api/moi/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
        assert me.status_code == 200
        validated = client.post(reverse("mandats:habilitation-validate", args=[pending.pk]))

        assert validated.status_code == 302 and validated.url == DECISIONS
        assert [str(m) for m in get_messages(validated.wsgi_request)] == [
            f"L'habilitation de {pending.email} est validée."
        ]
        assert reload(pending).status == HabilitationStatus.VALIDATED
        (message,) = OutboxMessage.objects.all()
        assert message.delivered_at is None and message.published_at is None

        own_redis.start()
        emails = tmp_path / "emails"
        worker = start_worker(
            "celery",
            broker_url=own_redis.url(0),
            env={
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(emails),
            },
        )
        try:
            assert outbox.sweep() == 1
            assert outbox.publish(message.pk)  # published twice: two messages in the queue
            broker = own_redis.client()
            wait_until(lambda: reload(message).delivered_at is not None)
            wait_until(lambda: broker.llen("celery") == 0 and broker.hlen("unacked") == 0)
        finally:
            output = stop_worker(worker)

    assert "'delivered'" in output and "'already'" in output  # both copies reached the worker
    (sent,) = emails.iterdir()
    text = sent.read_text()
    assert "Subject: =?utf-8?q?Aidants_Connect_=3A_votre_habilitation_est_valid" in text
    assert f"To: {pending.email}" in text
