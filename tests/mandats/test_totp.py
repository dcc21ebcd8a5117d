"""The aidant's second factor: enrolment, verification, drift, throttling and inactivity."""

import datetime
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandats.models import JournalAction, JournalEntry
from mandats.otp import SESSION_LAST_ACTIVITY
from tests.mandats.factories import TOTPDeviceFactory

USAGERS = reverse("mandats:usager-list")
VERIFY = reverse("mandats:totp-verify")
SETUP = reverse("mandats:totp-setup")


def code(device: TOTPDevice, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


@pytest.fixture
def frozen_clock():
    """The middle of the current 30-second step: a test never straddles a step boundary."""
    now = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("django_otp.plugins.otp_totp.models.time.time", return_value=now):
        yield now


@pytest.fixture
def logged_in(client, aidant):
    """Email and password accepted, second factor not yet entered."""
    client.force_login(aidant)
    return client


@pytest.fixture
def device(aidant):
    return TOTPDeviceFactory(user=aidant)


def test_an_aidant_without_device_is_sent_to_the_enrolment(logged_in):
    response = logged_in.get(USAGERS)

    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Faidants-connect%2Fusagers%2F"


def test_the_enrolment_page_shows_an_inline_qr_code_and_confirms_with_a_code(logged_in, aidant):
    page = logged_in.get(SETUP)

    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "<?xml" not in html
    assert 'for="id_code"' in html
    device = TOTPDevice.objects.get(user=aidant, confirmed=False)

    response = logged_in.post(SETUP, {"code": code(device), "next": USAGERS})

    assert response.status_code == 302
    assert response.url == USAGERS
    device.refresh_from_db()
    assert device.confirmed
    assert device.tolerance == 1
    assert logged_in.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert logged_in.get(USAGERS).status_code == 200


def test_an_enrolled_aidant_is_sent_to_the_verification(logged_in, device):
    response = logged_in.get(USAGERS)

    assert response.status_code == 302
    assert response.url.startswith(f"{VERIFY}?next=")


def test_the_right_code_verifies_the_session_and_journals_the_login(logged_in, device, aidant):
    response = logged_in.post(VERIFY, {"code": code(device), "next": USAGERS})

    assert response.status_code == 302
    assert response.url == USAGERS
    assert logged_in.get(USAGERS).status_code == 200
    entry = JournalEntry.objects.get()
    assert (entry.action, entry.actor) == (JournalAction.AIDANT_LOGIN, aidant)


def test_a_wrong_code_is_refused(logged_in, device, frozen_clock):
    wrong = f"{(int(code(device, frozen_clock)) + 1) % 1_000_000:06d}"

    response = logged_in.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in logged_in.session
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("steps", [-1, 1])
def test_a_code_one_step_off_is_accepted_and_the_drift_remembered(
    logged_in, device, frozen_clock, steps
):
    response = logged_in.post(VERIFY, {"code": code(device, frozen_clock + 30 * steps)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.drift == steps


@pytest.mark.parametrize("steps", [-2, 2])
def test_a_code_two_steps_off_is_refused(logged_in, device, frozen_clock, steps):
    response = logged_in.post(VERIFY, {"code": code(device, frozen_clock + 30 * steps)})

    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()


def test_a_code_is_accepted_only_once(logged_in, device, frozen_clock):
    token = code(device, frozen_clock)
    logged_in.post(VERIFY, {"code": token})
    session = logged_in.session
    del session[DEVICE_ID_SESSION_KEY]
    session.save()

    response = logged_in.post(VERIFY, {"code": token})

    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()


def test_several_wrong_codes_throttle_even_the_right_one(logged_in, device, frozen_clock):
    wrong = f"{(int(code(device, frozen_clock)) + 1) % 1_000_000:06d}"
    for _ in range(3):
        logged_in.post(VERIFY, {"code": wrong})
        # Lets the next attempt through django-otp's back-off without waiting.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=4)
        )
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now())
    device.refresh_from_db()
    assert device.throttling_failure_count == 3

    response = logged_in.post(VERIFY, {"code": code(device, frozen_clock)})

    assert response.status_code == 200
    assert "Trop de codes incorrects (3) : réessayez dans" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in logged_in.session

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    assert logged_in.post(VERIFY, {"code": code(device, frozen_clock)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.parametrize(("idle_minutes", "verified"), [(14, True), (16, False)])
def test_fifteen_minutes_of_inactivity_force_a_new_code(
    verified_client, aidant, idle_minutes, verified
):
    client = verified_client(aidant)
    session = client.session
    idle = datetime.timedelta(minutes=idle_minutes)
    session[SESSION_LAST_ACTIVITY] = (timezone.now() - idle).timestamp()
    session.save()

    response = client.get(USAGERS)

    assert (response.status_code == 200) is verified
    assert (DEVICE_ID_SESSION_KEY in client.session) is verified
    if not verified:
        assert response.url.startswith(f"{VERIFY}?next=")


def test_activity_postpones_the_inactivity_deadline(verified_client, aidant):
    client = verified_client(aidant)
    session = client.session
    session[SESSION_LAST_ACTIVITY] = (timezone.now() - datetime.timedelta(minutes=10)).timestamp()
    session.save()

    assert client.get(USAGERS).status_code == 200
    assert timezone.now().timestamp() - client.session[SESSION_LAST_ACTIVITY] < 5


@pytest.mark.parametrize("role", ["gestionnaire", "anonymous"])
def test_people_without_an_aidant_role_are_not_asked_for_a_code(client, gestionnaire, role):
    if role == "gestionnaire":
        client.force_login(gestionnaire)

    response = client.get(USAGERS)

    # The gestionnaire is refused by the page itself, the anonymous visitor sent to the login.
    assert response.status_code == (403 if role == "gestionnaire" else 302)
    if role == "anonymous":
        assert response.url.startswith(reverse("core:login"))
