"""POST /api/jeton/: the login policy's door for programs, knox tokens stored as digests,
expiring, one per device or client, and the aidants' second factor. Written as the attacks."""

import hashlib
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import ApiToken
from tests.factories import UserFactory
from tests.mandats.factories import TOTPDeviceFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/jeton/"
PASSWORD = "mot-de-passe-de-test"
ATTACKER = "203.0.113.66"
PAIR_LIMIT = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS


@pytest.fixture
def person(db):
    return UserFactory(email="api@exemple.fr")


def ask_token(client, email: str, password: str = PASSWORD, address: str = ATTACKER, **extra):
    body = {"email": email, "password": password}
    body.update({key: extra.pop(key) for key in ("nom", "totp") if key in extra})
    return client.post(TOKEN, body, content_type="application/json", REMOTE_ADDR=address, **extra)


def me(client, token: str):
    return client.get("/api/moi/", HTTP_AUTHORIZATION=f"Token {token}")


def totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


# --- Tokens: digests, expiry, one per name, revocation -----------------------------------------


def test_the_answer_gives_the_token_its_name_and_its_expiry(client, person):
    before = timezone.now()

    body = ask_token(client, "API@exemple.fr", nom="Tableur du service").json()

    assert body["nom"] == "Tableur du service"
    expiry = ApiToken.objects.get().expiry
    assert body["expiry"] == expiry.isoformat().replace("+00:00", "Z")
    assert before + timedelta(hours=settings.API_TOKEN_TTL_HOURS) <= expiry
    assert me(client, body["token"]).json()["email"] == "api@exemple.fr"


def test_attack_the_token_is_not_stored_in_clear(client, person):
    token = ask_token(client, person.email).json()["token"]

    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        row = cursor.fetchone()
    assert token not in [str(value) for value in row]


def test_attack_a_token_past_its_expiry_is_refused(client, person):
    token = ask_token(client, person.email).json()["token"]
    ApiToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    response = me(client, token)

    assert response.status_code == 401
    assert response.json()["message"] == (
        "Authentification refusée : jeton ou identifiants invalides."
    )


def test_a_new_token_under_the_same_name_replaces_the_old_one(client, person):
    first = ask_token(client, person.email, nom="Poste 1").json()["token"]
    other = ask_token(client, person.email, nom="Poste 2").json()["token"]
    second = ask_token(client, person.email, nom="Poste 1").json()["token"]

    assert me(client, first).status_code == 401
    assert me(client, second).status_code == 200
    assert me(client, other).status_code == 200
    assert ApiToken.objects.filter(user=person).count() == 2


def test_the_owner_lists_and_revokes_a_token_on_the_account_page(client, person):
    token = ask_token(client, person.email, nom="Script de suivi").json()["token"]
    client.force_login(person)
    home = client.get("/").content.decode()
    assert f'href="{reverse("core:account")}"' in home

    page = client.get(reverse("core:account")).content.decode()
    assert "Script de suivi" in page
    digest = ApiToken.objects.get().digest
    response = client.post(reverse("core:api-token-revoke", args=[digest]))

    assert response.status_code == 302
    assert me(client, token).status_code == 401


def test_nobody_revokes_someone_elses_token_from_the_account_page(client, person):
    ask_token(client, person.email)
    client.force_login(UserFactory())

    response = client.post(reverse("core:api-token-revoke", args=[ApiToken.objects.get().digest]))

    assert response.status_code == 404
    assert ApiToken.objects.exists()


def test_anct_revokes_a_token_in_the_admin(client, person):
    token = ask_token(client, person.email).json()["token"]
    client.force_login(UserFactory(is_anct=True, is_staff=True, is_superuser=True))
    digest = ApiToken.objects.get().digest

    client.post(reverse("admin:core_apitoken_delete", args=[digest]), {"post": "yes"}, follow=True)

    assert me(client, token).status_code == 401


def test_the_clear_text_tokens_of_drf_authtoken_are_gone():
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert "authtoken_token" not in connection.introspection.table_names()


def test_the_schema_documents_the_authorization_header(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    scheme = schema["components"]["securitySchemes"]["jeton"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert "Token <jeton>" in scheme["description"]
    assert {"jeton": []} in schema["paths"]["/api/moi/"]["get"]["security"]
    assert "security" not in schema["paths"]["/api/jeton/"]["post"]  # no token to get one


# --- The login policy on this door -------------------------------------------------------------


def test_attack_a_locked_account_still_gets_a_token(client, person):
    """Today's main ignores the login page's lockout on this door."""
    for _ in range(PAIR_LIMIT):
        client.post(
            "/connexion/", {"username": person.email, "password": "faux"}, REMOTE_ADDR=ATTACKER
        )

    response = ask_token(client, person.email)

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["message"].startswith("Trop de tentatives de connexion infructueuses")
    assert int(response["Retry-After"]) == 15 * 60
    assert not ApiToken.objects.exists()


def test_attack_forty_wrong_passwords_with_a_rotating_forwarded_header(client, person):
    """Today's main keys the throttle on the whole X-Forwarded-For header: never refused."""
    answers = [
        ask_token(client, person.email, "faux", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(40)
    ]

    assert answers[:PAIR_LIMIT] == [400] * PAIR_LIMIT
    assert set(answers[PAIR_LIMIT:]) == {429}
    assert ask_token(client, person.email, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_the_request_rate_throttle_ignores_a_spoofed_forwarded_header(client, person):
    answers = [
        ask_token(
            client, f"essai{n}@exemple.fr", "faux", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        ).status_code
        for n in range(11)
    ]

    assert answers == [400] * 10 + [429]


def test_behind_one_trusted_proxy_the_address_it_saw_is_locked(client, person, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(PAIR_LIMIT):
        ask_token(
            client,
            person.email,
            "faux",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.50",
        )

    locked = ask_token(
        client, person.email, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    other = ask_token(client, person.email, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51")

    assert locked.status_code == 429
    assert other.status_code == 200


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(client, person):
    unknown = ask_token(client, "inconnu@exemple.fr", "faux")
    wrong = ask_token(client, person.email, "faux")

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


# --- Aidants and référents: the second factor in the same request ------------------------------


@pytest.mark.parametrize("role", ["aidant", "referent"])
def test_attack_an_aidant_gets_no_token_without_a_totp_code(client, structure, role):
    from tests.factories import MembershipFactory

    aidant = MembershipFactory(structure=structure, role=role).user
    TOTPDeviceFactory(user=aidant)

    response = ask_token(client, aidant.email)

    assert response.status_code == 400
    assert "code à usage unique" in response.json()["details"]["totp"][0]
    assert not ApiToken.objects.exists()


def test_an_aidant_with_a_wrong_code_gets_no_token(client, colleague):
    TOTPDeviceFactory(user=colleague)

    response = ask_token(client, colleague.email, totp="000000")

    assert response.status_code == 400
    assert response.json()["details"]["totp"][0].startswith("Code incorrect")
    assert not ApiToken.objects.exists()


def test_an_aidant_without_a_confirmed_device_gets_no_token(client, colleague):
    TOTPDeviceFactory(user=colleague, confirmed=False)

    response = ask_token(client, colleague.email, totp="123456")

    assert response.status_code == 400
    assert "activez d'abord" in response.json()["details"]["totp"][0]


def test_an_aidant_with_the_code_of_their_device_gets_a_token_once(client, colleague):
    device = TOTPDeviceFactory(user=colleague)
    code = totp_code(device)

    granted = ask_token(client, colleague.email, totp=code)
    replayed = ask_token(client, colleague.email, totp=code, nom="Autre")

    assert granted.status_code == 200
    assert me(client, granted.json()["token"]).status_code == 200
    assert replayed.status_code == 400


def test_a_gestionnaire_needs_no_second_factor(client, gestionnaire):
    assert ask_token(client, gestionnaire.email).status_code == 200


def test_the_api_offers_no_mandate_operation():
    """Decided: mandates are created on the pages (FranceConnect in front of the aidant, a
    fresh code before confirming) and used through the identity provider only; no API route
    reads or changes mandates, autorisations, usagers or the journal. The Aidants Connect API
    runs the référent's team and the TOTP cards only."""
    from drf_spectacular.generators import EndpointEnumerator

    endpoints = EndpointEnumerator().get_api_endpoints()
    paths = {
        path
        for path, _, callback in ((p, m, c) for p, _, m, c in endpoints)
        if callback.cls.__module__.startswith(("mandats", "idp"))
    }

    assert paths and all(path.startswith("/api/aidants-connect/") for path in paths)
    forbidden = ("mandat", "autorisation", "usager", "journal")
    assert not [path for path in paths if any(word in path for word in forbidden)]
