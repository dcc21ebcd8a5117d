"""One login policy for every door (core.login_policy on django-axes): the login page, the API
token endpoint, the password reset and the admin. Written as the attacks: the requests an
attacker sends."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from tests.core.conftest import age_login_records
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("core:login")
RESET = reverse("core:password-request")
TOKEN = "/api/jeton/"
PASSWORD = "mot-de-passe-de-test"
WRONG_PASSWORD = "mauvais"
INVALID = "Adresse électronique ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion infructueuses"
ATTACKER = "203.0.113.66"
VICTIM_ADDRESS = "198.51.100.20"
PAIR_LIMIT = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
ADDRESS_LIMIT = settings.LOGIN_FAILURES_PER_ADDRESS
ACCOUNT_LIMIT = settings.LOGIN_FAILURES_PER_ACCOUNT


@pytest.fixture
def victim(db):
    return UserFactory(email="victime@exemple.fr")


def attempt(client, email: str, password: str = WRONG_PASSWORD, address: str = ATTACKER, **extra):
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


def fail_from_many_addresses(client, email: str, count: int) -> None:
    """A botnet: each address stays under the (account, address) limit."""
    for n in range(count):
        attempt(client, email, address=f"192.0.2.{n // (PAIR_LIMIT - 1) + 1}")


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


def test_an_unknown_email_is_locked_the_same_way(client, victim):
    for _ in range(PAIR_LIMIT):
        attempt(client, "personne@exemple.fr")
        attempt(client, victim.email, address="203.0.113.8")

    unknown = attempt(client, "personne@exemple.fr")
    known = attempt(client, victim.email, address="203.0.113.8")

    assert unknown.status_code == known.status_code == 429
    assert errors_of(unknown) == errors_of(known)


# --- (account, address) ----------------------------------------------------------------------


def test_after_five_failures_the_pair_is_locked_even_with_the_right_password(client, victim):
    for _ in range(PAIR_LIMIT):
        assert errors_of(attempt(client, victim.email)) == [INVALID]

    response = attempt(client, victim.email, PASSWORD)

    assert response.status_code == 429
    assert THROTTLED in errors_of(response)[0]
    assert "Réessayez dans 15 minutes." in errors_of(response)[0]
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_attack_anyone_cannot_lock_a_known_person_out_from_elsewhere(client, victim):
    """Today's main locks the email itself for 15 minutes, wherever the person logs in from."""
    for _ in range(PAIR_LIMIT * 2):
        attempt(client, victim.email, address=ATTACKER)

    response = attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS)

    assert response.status_code == 302
    client.logout()
    assert attempt(client, victim.email, PASSWORD, address=ATTACKER).status_code == 429


def test_the_email_is_counted_whatever_its_case(client, victim):
    for n in range(PAIR_LIMIT):
        attempt(client, "VICTIME@exemple.fr" if n % 2 else "victime@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429


def test_a_locked_attempt_does_not_even_run_the_hasher(client, victim):
    for _ in range(PAIR_LIMIT):
        attempt(client, victim.email)

    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True) as encode:
        attempt(client, victim.email, PASSWORD)

    encode.assert_not_called()


def test_other_emails_still_log_in_from_the_same_address(client, victim):
    colleague = UserFactory(email="collegue@exemple.fr")
    for _ in range(PAIR_LIMIT):
        attempt(client, victim.email)

    assert attempt(client, colleague.email, PASSWORD).status_code == 302


def test_the_lock_ends_fifteen_minutes_after_the_last_failure(client, victim):
    for _ in range(PAIR_LIMIT):
        attempt(client, victim.email)
    age_login_records(minutes=14, seconds=59)
    assert attempt(client, victim.email, PASSWORD).status_code == 429

    age_login_records(seconds=2)

    assert attempt(client, victim.email, PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_lock(client, victim):
    for _ in range(PAIR_LIMIT):
        attempt(client, victim.email)
    age_login_records(minutes=10)
    for _ in range(3):
        assert attempt(client, victim.email).status_code == 429

    age_login_records(minutes=5, seconds=1)

    assert attempt(client, victim.email, PASSWORD).status_code == 302


def test_failures_older_than_the_window_are_forgotten(client, victim):
    for _ in range(PAIR_LIMIT - 1):
        attempt(client, victim.email)
    age_login_records(minutes=15, seconds=1)

    attempt(client, victim.email)

    assert attempt(client, victim.email, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_pairs_count(client, victim):
    for _ in range(PAIR_LIMIT - 1):
        attempt(client, victim.email)
    assert attempt(client, victim.email, PASSWORD).status_code == 302
    client.logout()

    for _ in range(PAIR_LIMIT - 1):
        attempt(client, victim.email)

    assert attempt(client, victim.email, PASSWORD).status_code == 302


# --- Address ---------------------------------------------------------------------------------


def test_after_twenty_failures_the_address_is_locked_for_every_email(client, victim):
    for n in range(ADDRESS_LIMIT):
        attempt(client, f"essai{n}@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429
    assert attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS).status_code == 302


def test_a_valid_login_does_not_reset_the_addresss_count(client, victim):
    for n in range(ADDRESS_LIMIT - 1):
        attempt(client, f"essai{n}@exemple.fr")
    assert attempt(client, victim.email, PASSWORD).status_code == 302
    client.logout()

    attempt(client, "encore@exemple.fr")

    assert attempt(client, victim.email, PASSWORD).status_code == 429


def test_attack_thirty_emails_with_a_rotating_forwarded_header_are_refused(client, victim):
    """Today's main trusts the last X-Forwarded-For entry, which the client writes."""
    answers = [
        attempt(client, f"essai{n}@exemple.fr", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(30)
    ]

    assert answers[:ADDRESS_LIMIT] == [200] * ADDRESS_LIMIT
    assert set(answers[ADDRESS_LIMIT:]) == {429}


def test_behind_one_trusted_proxy_the_address_it_saw_counts(client, victim, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(ADDRESS_LIMIT):
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


# --- Account, from every address ---------------------------------------------------------------


def test_the_account_is_locked_everywhere_only_past_the_much_higher_threshold(client, victim):
    fail_from_many_addresses(client, victim.email, ACCOUNT_LIMIT - 1)
    assert attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS).status_code == 302
    client.logout()

    attempt(client, victim.email, address="192.0.2.200")
    response = attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60


def test_the_account_lock_doubles_with_each_further_failure(client, victim):
    fail_from_many_addresses(client, victim.email, ACCOUNT_LIMIT)
    delays = []
    for _ in range(3):
        age_login_records(minutes=delays[-1] if delays else 1, seconds=1)
        attempt(client, victim.email, address="192.0.2.250")
        response = attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS)
        delays.append(int(response["Retry-After"]) // 60)

    assert delays == [2, 4, 8]


# --- The password reset ------------------------------------------------------------------------


def ask_reset(client, email: str, address: str = ATTACKER, **extra):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address, **extra)


def test_a_locked_pair_cannot_use_the_reset_door_either(client, victim):
    for _ in range(PAIR_LIMIT):
        attempt(client, victim.email)

    response = ask_reset(client, victim.email)

    assert response.status_code == 429
    assert THROTTLED in response.context["form"].non_field_errors()[0]
    assert mail.outbox == []


def test_attack_reset_requests_with_a_rotating_header_cannot_flood_a_mailbox(client, victim):
    answers = [
        ask_reset(client, victim.email, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(PAIR_LIMIT + 3)
    ]

    assert answers == [302] * PAIR_LIMIT + [429] * 3
    assert len(mail.outbox) == PAIR_LIMIT


def test_the_reset_gets_the_owner_out_of_an_account_lock(client, victim):
    fail_from_many_addresses(client, victim.email, ACCOUNT_LIMIT)
    assert attempt(client, victim.email, PASSWORD, address=VICTIM_ADDRESS).status_code == 429

    assert ask_reset(client, victim.email, address=VICTIM_ADDRESS).status_code == 302
    link = re.search(r"/mot-de-passe/nouveau/[^\s]+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True, REMOTE_ADDR=VICTIM_ADDRESS)
    new = "une phrase de passe solide"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert attempt(client, victim.email, new, address=VICTIM_ADDRESS).status_code == 302


# --- The admin's login -------------------------------------------------------------------------


def test_the_admin_login_follows_the_same_policy(client):
    staff = UserFactory(email="admin@exemple.fr", is_staff=True)
    admin_login = reverse("admin:login")
    for _ in range(PAIR_LIMIT):
        client.post(
            admin_login, {"username": staff.email, "password": WRONG_PASSWORD}, REMOTE_ADDR=ATTACKER
        )

    response = client.post(
        admin_login, {"username": staff.email, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )

    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert int(response["Retry-After"]) == 15 * 60


# --- Records are kept no longer than needed ----------------------------------------------------


def test_the_purge_keeps_only_what_a_lock_or_the_retention_still_needs(client, victim):
    from axes.models import AccessAttempt, AccessFailureLog

    from core.tasks import purge_login_records

    attempt(client, "ancien@exemple.fr")
    age_login_records(days=settings.LOGIN_FAILURE_RETENTION_DAYS, seconds=1)
    attempt(client, victim.email)

    purge_login_records()

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [victim.email]
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == [victim.email]
