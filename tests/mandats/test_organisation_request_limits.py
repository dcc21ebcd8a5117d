"""The public organisation request cannot be used to flood inboxes or the ANCT's queue: limits
per client address and per email address, counted in Redis (shared by every web worker), a
database bound on the unconfirmed requests of an address that holds while Redis is down, a
honeypot, and unconfirmed requests that expire with their personal data."""

import html
import time
from datetime import timedelta
from unittest import mock

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mandats import organisations, tasks
from mandats.beat import BEAT_SCHEDULE
from mandats.models import OrganisationRequest, OrganisationRequestStatus
from tests.factories import valid_siret
from tests.mandats.factories import reload
from tests.services import TEST_REDIS_URL

pytestmark = pytest.mark.django_db

NEW = reverse("mandats:organisation-request-new")
RESEND = reverse("mandats:organisation-request-resend-link")


def form(n: int, email: str = "") -> dict:
    return {
        "siret": valid_siret(600 + n),
        "name": f"Association {n}",
        "type": "privee",
        "departement": "37",
        "address": "1 place du Marché, 37000 Tours",
        "referent_first_name": "Sophie",
        "referent_last_name": "Durand",
        "referent_email": email or f"referente{n}@asso.fr",
        "aidants": "Inès ; Martin ; ines@asso.fr ; CESF",
        "demarches": ["social"],
    }


def text(response) -> str:
    return html.unescape(response.content.decode())


def send(client, n: int, *, address: str = "203.0.113.5", email: str = ""):
    return client.post(NEW, form(n, email), REMOTE_ADDR=address)


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": TEST_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    yield
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.mark.redis
def test_one_address_sends_five_requests_an_hour_then_waits(
    client, redis_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            assert send(client, n).status_code == 200
        refused = send(client, 5)

    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3601
    assert "Trop de demandes d'habilitation envoyées depuis votre connexion" in (text(refused))
    assert OrganisationRequest.objects.count() == 5 and len(mail.outbox) == 5
    # Counted in Redis, where every web worker reads the same count.
    keys = redis.Redis.from_url(TEST_REDIS_URL).keys("*mandats:limite:demandes-adresse-ip:*")
    assert len(keys) == 1
    # Another address is not held back; the same one is, no longer, an hour later.
    assert send(client, 6, address="198.51.100.7").status_code == 200
    with mock.patch("time.time", return_value=time.time() + 3601):
        assert send(client, 7).status_code == 200


@pytest.mark.redis
def test_one_email_receives_three_requests_a_day_whatever_the_addresses(client, redis_cache):
    for n in range(3):
        send(client, n, address=f"203.0.113.{n}", email="cible@exemple.fr")
        # Confirmed: the database's bound on unconfirmed requests is not what refuses here.
        OrganisationRequest.objects.filter(pk=OrganisationRequest.objects.latest("pk").pk).update(
            email_confirmed_at=timezone.now()
        )

    refused = send(client, 3, address="203.0.113.99", email="Cible@Exemple.fr")

    assert refused.status_code == 429
    assert "Trop de demandes d'habilitation pour cette adresse électronique" in (text(refused))
    assert OrganisationRequest.objects.count() == 3


@pytest.mark.redis
def test_redis_down_the_database_still_bounds_what_one_inbox_receives(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for n in range(3):
        assert send(client, n, email="cible@exemple.fr").status_code == 200

    refused = send(client, 3, email="cible@exemple.fr")

    assert refused.status_code == 429
    assert "attendent déjà la confirmation de cette adresse" in text(refused)
    assert OrganisationRequest.objects.count() == 3


def test_a_robot_filling_the_hidden_field_is_answered_as_if_sent_and_nothing_is(client):
    page = text(client.get(NEW))
    assert "<div hidden>" in page and 'name="site_internet"' in page

    answer = client.post(NEW, {**form(1), "site_internet": "https://spam.example"})

    assert answer.status_code == 200 and "Demande envoyée" in text(answer)
    assert not OrganisationRequest.objects.exists() and not mail.outbox


@pytest.mark.redis
def test_the_link_is_sent_again_on_request_within_the_limits(
    client, redis_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, 1, email="sophie@asso.fr")
        for _ in range(4):  # with the request's own, five links a day
            answer = client.post(RESEND, {"email": "Sophie@asso.fr"}, follow=True)
            assert "un nouveau lien vient d'y être envoyé" in text(answer)
        refused = client.post(RESEND, {"email": "sophie@asso.fr"})
        # An address with no request waiting gets the same answer, and nothing.
        unknown = client.post(RESEND, {"email": "personne@asso.fr"}, follow=True)

    assert len(mail.outbox) == 5
    assert {m.to[0] for m in mail.outbox} == {"sophie@asso.fr"}
    assert all("confirmez" in m.subject for m in mail.outbox)
    assert refused.status_code == 429
    assert "Trop de liens de confirmation envoyés à cette adresse" in text(refused)
    assert "un nouveau lien vient d'y être envoyé" in text(unknown)


@pytest.mark.redis
def test_the_resend_page_is_limited_per_address_too(client, redis_cache):
    for n in range(10):
        client.post(RESEND, {"email": f"n{n}@asso.fr"}, REMOTE_ADDR="203.0.113.8")

    refused = client.post(RESEND, {"email": "autre@asso.fr"}, REMOTE_ADDR="203.0.113.8")

    assert refused.status_code == 429
    assert "Trop de liens de confirmation demandés depuis votre connexion" in (text(refused))


def test_an_unconfirmed_request_expires_with_its_personal_data_and_frees_its_siret(client):
    send(client, 1)
    send(client, 2)
    send(client, 3)
    old, confirmed, recent = OrganisationRequest.objects.order_by("pk")
    organisations.organisation_request_confirm_email(request=confirmed)
    eight_days_ago = timezone.now() - timedelta(days=8)
    OrganisationRequest.objects.filter(pk__in=[old.pk, confirmed.pk]).update(
        created_at=eight_days_ago
    )
    token = organisations.request_link_token(old)

    assert tasks.expire_unconfirmed_organisation_requests() == 1
    assert tasks.expire_unconfirmed_organisation_requests() == 0  # idempotent

    old = reload(old)
    assert old.status == OrganisationRequestStatus.CLOSED
    assert (old.referent_email, old.referent_last_name, old.aidants) == ("", "", [])
    log = old.transitions.last()
    assert (log.transition, log.by, log.system) == ("close", None, organisations.EXPIRY_TASK)
    assert OrganisationRequest.objects.get(pk=confirmed.pk).status == OrganisationRequestStatus.NEW
    assert OrganisationRequest.objects.get(pk=recent.pk).status == OrganisationRequestStatus.NEW
    # The late link confirms nothing; the SIRET may ask again.
    client.get(reverse("mandats:organisation-request-page", args=[token]))
    assert OrganisationRequest.objects.get(pk=old.pk).email_confirmed_at is None
    assert send(client, 1, address="198.51.100.1").status_code == 200
    assert "mandats-expire-unconfirmed-organisation-requests" in BEAT_SCHEDULE
