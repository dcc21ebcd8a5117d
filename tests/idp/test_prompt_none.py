"""prompt=none (OpenID Connect Core 3.1.2.1 and 3.1.2.6): no page is shown, the service is answered
at once. An aidant always has to choose the usager and the démarche, so the answer is
interaction_required when the aidant could go on, login_required when they would first have to
authenticate (again)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from idp.models import AuthorizationCode
from idp.server import SESSION_AUTH_TIME
from mandats.otp import SESSION_LAST_ACTIVITY
from tests.idp.service import REDIRECT_URI, path_of, query_of
from tests.mandats.factories import TOTPDeviceFactory


def silent_answer(service, browser, **extra: str) -> dict[str, str]:
    """What the service receives for a prompt=none request from this browser."""
    transaction = service.start(prompt="none", **extra)
    response = browser.get(path_of(transaction.url))
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(REDIRECT_URI)
    callback = query_of(response["Location"])
    assert callback["state"] == transaction.state
    assert "code" not in callback
    return callback


def set_session(browser, **values: float) -> None:
    session = browser.session
    session.update(values)
    session.save()


def test_an_aidant_logged_in_with_a_fresh_totp_still_has_to_choose(service, aidant_browser, mandat):
    assert silent_answer(service, aidant_browser)["error"] == "interaction_required"
    assert not AuthorizationCode.objects.exists()


def test_an_auth_time_within_max_age_still_has_to_choose(service, aidant_browser, mandat):
    set_session(aidant_browser, **{SESSION_AUTH_TIME: time.time() - 60})

    callback = silent_answer(service, aidant_browser, max_age="3600")

    assert callback["error"] == "interaction_required"


def test_nobody_logged_in_gets_login_required(service, browser):
    assert silent_answer(service, browser)["error"] == "login_required"


def test_an_aidant_without_a_verified_totp_gets_login_required(service, browser, aidant):
    TOTPDeviceFactory(user=aidant)
    browser.force_login(aidant)

    assert silent_answer(service, browser)["error"] == "login_required"


def test_an_aidant_inactive_fifteen_minutes_gets_login_required_and_stays_verified(
    service, aidant_browser
):
    last_activity = (timezone.now() - timedelta(minutes=16)).timestamp()
    set_session(aidant_browser, **{SESSION_LAST_ACTIVITY: last_activity})

    assert silent_answer(service, aidant_browser)["error"] == "login_required"
    # Nothing was shown, so nothing of the session changed either.
    assert DEVICE_ID_SESSION_KEY in aidant_browser.session


@pytest.mark.parametrize("auth_time", [None, 120], ids=["never", "two minutes ago"])
def test_an_auth_time_older_than_max_age_gets_login_required(service, aidant_browser, auth_time):
    if auth_time is not None:
        set_session(aidant_browser, **{SESSION_AUTH_TIME: time.time() - auth_time})

    assert silent_answer(service, aidant_browser, max_age="60")["error"] == "login_required"


def test_a_person_who_may_not_act_for_usagers_gets_login_required(
    service, verified_client, gestionnaire
):
    browser = verified_client(gestionnaire)
    browser.defaults["HTTP_HOST"] = "localhost"

    assert silent_answer(service, browser)["error"] == "login_required"
