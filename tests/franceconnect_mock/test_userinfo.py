import pytest
import requests
from joserfc import jwt

pytestmark = pytest.mark.django_db(transaction=True)


def test_userinfo_is_a_jwt_signed_es256_for_the_client(rp):
    _, token = rp.tokens_for("3_melaine")

    response = rp.userinfo(token["access_token"])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jwt"
    decoded = rp.verify(response.text)
    assert decoded.header["alg"] == "ES256"
    assert decoded.header["kid"] in {key.kid for key in rp.jwks().keys}
    assert decoded.claims["iss"] == rp.issuer
    assert decoded.claims["aud"] == rp.client_id


def test_userinfo_also_answers_a_post(rp):
    _, token = rp.tokens_for("3_melaine")

    response = requests.post(
        f"{rp.issuer}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )

    assert response.status_code == 200
    assert jwt.decode(response.text, rp.jwks(), algorithms=["ES256"]).claims["given_name"]


def test_userinfo_without_a_token_is_refused_with_a_bearer_challenge(rp):
    response = requests.get(f"{rp.issuer}/userinfo", timeout=10)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "invalid_request"


def test_userinfo_refuses_other_authorization_schemes(rp):
    response = requests.get(
        f"{rp.issuer}/userinfo", headers={"Authorization": "Basic YTpi"}, timeout=10
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_userinfo_with_an_unknown_token_is_refused(rp):
    response = rp.userinfo("jeton-inventé")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert response.json() == {
        "error": "invalid_token",
        "error_description": "Le jeton d'acces est invalide, expire ou revoque.",
    }
