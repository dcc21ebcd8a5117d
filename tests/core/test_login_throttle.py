"""The email+password login: failed attempts are limited per email and per address, and no
answer tells whether an account exists."""

import re
import time
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.urls import reverse

from core.forms import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_EMAIL
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("core:login")
PASSWORD = "mot-de-passe-de-test"
WRONG_PASSWORD = "mauvais"
INVALID = "Adresse électronique ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion infructueuses"


@pytest.fixture(autouse=True)
def empty_cache():
    """Counters live in the process-wide cache: each test starts and leaves it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def victim(db):
    return UserFactory(email="victime@exemple.fr")


def attempt(
    client, email: str, password: str = WRONG_PASSWORD, address: str = "203.0.113.7", **extra
):
    return client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def page_without_tokens(response, email: str) -> str:
    """The page as a person reads it: the typed email, CSRF token and CSP nonces blanked."""
    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


def errors_of(response) -> list[str]:
    return response.context["form"].non_field_errors()


# --- Nothing reveals whether the email has an account ----------------------------------------


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(client, victim):
    unknown = attempt(client, "personne@exemple.fr")
    wrong = attempt(client, victim.email)

    assert unknown.status_code == wrong.status_code == 200
    assert errors_of(unknown) == errors_of(wrong) == [INVALID]
    assert page_without_tokens(unknown, "personne@exemple.fr") == page_without_tokens(
        wrong, victim.email
    )


def test_an_inactive_account_with_its_right_password_gets_the_same_answer(client):
    inactive = UserFactory(email="inactif@exemple.fr", is_active=False)

    response = attempt(client, inactive.email, PASSWORD)

    assert response.status_code == 200
    assert errors_of(response) == [INVALID]


@pytest.mark.parametrize("email", ["victime@exemple.fr", "personne@exemple.fr"])
def test_the_password_hasher_runs_whether_or_not_the_email_exists(client, victim, email):
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        attempt(client, email)

    assert encode.call_count == 1


# --- Per email --------------------------------------------------------------------------------


def test_after_five_failures_the_email_is_locked_even_with_the_right_password(client, victim):
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert errors_of(attempt(client, victim.email)) == [INVALID]

    response = attempt(client, victim.email, PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in errors_of(response)[0]
    assert "Réessayez dans 15 minutes." in errors_of(response)[0]
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_a_locked_email_is_refused_from_another_address_too(client, victim):
    for n in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, victim.email, address=f"198.51.100.{n}")

    assert attempt(client, victim.email, PASSWORD, address="192.0.2.1").status_code == 429


def test_an_unknown_email_is_locked_the_same_way(client, victim):
    for _ in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, "personne@exemple.fr")

    unknown = attempt(client, "personne@exemple.fr")
    for _ in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, victim.email, address="203.0.113.8")
    known = attempt(client, victim.email, address="203.0.113.8")

    assert unknown.status_code == known.status_code == 429
    assert errors_of(unknown) == errors_of(known)


def test_the_email_is_counted_whatever_its_case(client, victim):
    for n in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, "VICTIME@exemple.fr" if n % 2 else "victime@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429


def test_a_locked_attempt_does_not_even_run_the_hasher(client, victim):
    for _ in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, victim.email)

    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True) as encode:
        attempt(client, victim.email, PASSWORD)

    encode.assert_not_called()


def test_other_emails_still_log_in_from_the_same_address(client, victim):
    colleague = UserFactory(email="collegue@exemple.fr")
    for _ in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, victim.email)

    assert attempt(client, colleague.email, PASSWORD).status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, victim):
    for _ in range(MAX_FAILURES_PER_EMAIL):
        attempt(client, victim.email)
    later = time.time() + 15 * 60 + 1

    with mock.patch("time.time", return_value=later):
        response = attempt(client, victim.email, PASSWORD)

    assert response.status_code == 302


def test_failures_older_than_the_window_are_forgotten(client, victim):
    start = time.time()
    with mock.patch("time.time", return_value=start):
        for _ in range(MAX_FAILURES_PER_EMAIL - 1):
            attempt(client, victim.email)
    with mock.patch("time.time", return_value=start + 15 * 60 + 1):
        attempt(client, victim.email)
        response = attempt(client, victim.email, PASSWORD)

    assert response.status_code == 302


def test_a_successful_login_resets_the_emails_count(client, victim):
    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        attempt(client, victim.email)
    assert attempt(client, victim.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        attempt(client, victim.email)

    assert attempt(client, victim.email, PASSWORD).status_code == 302


# --- Per address ------------------------------------------------------------------------------


def test_after_twenty_failures_the_address_is_locked_for_every_email(client, victim):
    for n in range(MAX_FAILURES_PER_ADDRESS):
        attempt(client, f"essai{n}@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429
    assert attempt(client, victim.email, PASSWORD, address="192.0.2.1").status_code == 302


def test_a_valid_login_does_not_reset_the_addresss_count(client, victim):
    for n in range(MAX_FAILURES_PER_ADDRESS - 1):
        attempt(client, f"essai{n}@exemple.fr")
    assert attempt(client, victim.email, PASSWORD).status_code == 302
    client.logout()

    attempt(client, "encore@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429


def test_behind_the_proxy_the_address_it_saw_counts_not_the_one_the_client_claims(client, victim):
    for n in range(MAX_FAILURES_PER_ADDRESS):
        attempt(
            client,
            f"essai{n}@exemple.fr",
            address="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.50",
        )

    refused = attempt(
        client, victim.email, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    other = attempt(
        client, victim.email, PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51"
    )

    assert refused.status_code == 429
    assert other.status_code == 302
