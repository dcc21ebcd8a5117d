import base64
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from core.oidc.models import digest
from franceconnect_mock.models import AccessToken, AuthorizationCode

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_code_is_exchanged_once_then_refused_as_invalid_grant(rp):
    _, callback = rp.login("testfc1")
    first = rp.exchange(callback["code"])
    assert first.status_code == 200

    replay = rp.exchange(callback["code"])

    assert replay.status_code == 400
    assert replay.json() == {
        "error": "invalid_grant",
        "error_description": "Le code d'autorisation est invalide, expire ou deja utilise.",
    }


def test_replaying_a_code_revokes_the_access_token_it_gave(rp):
    _, callback = rp.login("testfc1")
    access_token = rp.exchange(callback["code"]).json()["access_token"]
    assert rp.userinfo(access_token).status_code == 200

    rp.exchange(callback["code"])

    assert rp.userinfo(access_token).status_code == 401


def test_an_expired_code_is_refused(rp):
    _, callback = rp.login("testfc1")
    # Sixty seconds later, as the database sees it.
    AuthorizationCode.objects.filter(code_hash=digest(callback["code"])).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = rp.exchange(callback["code"])

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_lives_sixty_seconds_and_is_stored_only_as_a_digest(rp):
    _, callback = rp.login("testfc1")

    code = AuthorizationCode.objects.get()
    assert code.code_hash == digest(callback["code"])
    assert callback["code"] not in code.code_hash
    assert code.expires_at - code.auth_time == timedelta(seconds=60)


def test_access_tokens_are_short_lived_and_stored_only_as_a_digest(rp):
    _, token = rp.tokens_for("testfc1")

    stored = AccessToken.objects.get()
    assert stored.token_hash == digest(token["access_token"])
    assert stored.expires_at - stored.issued_at == timedelta(seconds=60)
    assert token["expires_in"] == 60


def test_an_expired_access_token_is_refused_by_userinfo(rp):
    _, token = rp.tokens_for("testfc1")
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = rp.userinfo(token["access_token"])

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


def test_a_wrong_client_secret_is_invalid_client(rp):
    _, callback = rp.login("testfc1")

    response = rp.exchange(callback["code"], client_secret="mauvais-secret-mauvais-secret-mauvais")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"
    assert rp.exchange(callback["code"]).status_code == 200  # the failed attempt spent nothing


def test_client_secret_basic_is_refused_only_client_secret_post_is_accepted(rp):
    _, callback = rp.login("testfc1")
    basic = base64.b64encode(f"{rp.client_id}:{rp.client_secret}".encode()).decode()

    response = requests.post(
        f"{rp.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": rp.redirect_uri,
        },
        headers={"Authorization": f"Basic {basic}"},
        timeout=10,
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_a_code_issued_to_one_client_cannot_be_exchanged_by_another(rp, other_rp):
    _, callback = rp.login("testfc1")

    response = other_rp.exchange(callback["code"], redirect_uri=rp.redirect_uri)

    assert response.json()["error"] == "invalid_grant"


def test_the_redirect_uri_must_match_the_one_of_the_authorization_request(rp):
    _, callback = rp.login("testfc1")

    response = rp.exchange(
        callback["code"],
        redirect_uri="http://localhost:8000/aidants-connect/franceconnect/callback/",
    )

    assert response.json()["error"] == "invalid_grant"


def test_only_the_authorization_code_grant_is_supported(rp):
    response = rp.exchange("peu-importe", grant_type="client_credentials")

    assert response.json()["error"] == "unsupported_grant_type"


def test_the_token_response_is_not_cached(rp):
    _, callback = rp.login("testfc1")

    response = rp.exchange(callback["code"])

    assert response.headers["Cache-Control"] == "no-store"
