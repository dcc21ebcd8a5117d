import pytest
from authlib.integrations.requests_client import OAuth2Session

from tests.franceconnect_mock.relying_party import ALL_SCOPES, random_value

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_full_code_flow_gives_a_verified_id_token_and_a_signed_userinfo(rp):
    session = OAuth2Session(
        client_id=rp.client_id,
        client_secret=rp.client_secret,
        token_endpoint_auth_method="client_secret_post",
        redirect_uri=rp.redirect_uri,
        scope=ALL_SCOPES,
    )
    nonce = random_value()
    url, state = session.create_authorization_url(
        f"{rp.issuer}/authorize", state=random_value(), nonce=nonce, acr_values="eidas1"
    )
    page = rp.http.get(url, timeout=10)
    assert page.status_code == 200
    callback = rp.submit_login_page(page, {"identity": "testfc1"})
    assert callback.status_code == 302
    assert callback.headers["Location"].startswith(rp.redirect_uri + "?")

    with session:
        token = session.fetch_token(
            f"{rp.issuer}/token", authorization_response=callback.headers["Location"], state=state
        )

    assert token["token_type"] == "Bearer"
    assert 0 < token["expires_in"] <= 60
    id_token = rp.verify(token["id_token"], nonce=nonce, acr="eidas1")
    assert id_token.header["alg"] == "ES256"
    assert id_token.header["kid"] in {key.kid for key in rp.jwks().keys}
    assert "given_name" not in id_token.claims  # the identity comes from /userinfo only
    userinfo = rp.userinfo(token["access_token"])
    assert userinfo.status_code == 200
    assert userinfo.headers["Content-Type"] == "application/jwt"
    claims = rp.verify(userinfo.text).claims
    assert claims["sub"] == id_token.claims["sub"]
    assert {name: claims[name] for name in ALL_SCOPES.split()[1:]} == {
        "given_name": "Stéphane Louis Perceval",
        "family_name": "DUPONT",
        "birthdate": "1962-08-24",
        "gender": "male",
        "birthplace": "75112",
        "birthcountry": "99100",
        "email": "stephane.dupont@exemple.fr",
        "preferred_username": "",
    }


def test_the_callback_carries_the_state_and_a_code(rp):
    params, callback = rp.login("3_melaine")

    assert callback["state"] == params["state"]
    assert len(callback["code"]) >= 32


def test_the_id_token_binds_nonce_auth_time_and_at_hash(rp):
    params, token = rp.tokens_for("3_melaine")

    claims = rp.verify(token["id_token"], nonce=params["nonce"], acr="eidas1").claims
    assert claims["auth_time"] <= claims["iat"] < claims["exp"]
    assert claims["exp"] - claims["iat"] <= 60
    assert claims["at_hash"]


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (
            "3_melaine",
            {
                "given_name": "Mélaine Évelyne",
                "family_name": "TROIS",
                "gender": "female",
                "birthdate": "1981-07-27",
                "birthplace": "37261",
                "birthcountry": "99100",
            },
        ),
        ("sans_nom", {"given_name": "Aminata", "family_name": "", "birthcountry": "99100"}),
        ("ne_a_l_etranger", {"birthplace": "", "birthcountry": "99134"}),
    ],
)
def test_each_demo_identity_gets_its_claims_in_franceconnect_formats(rp, identity, expected):
    _, token = rp.tokens_for(identity)

    claims = rp.verify(rp.userinfo(token["access_token"]).text).claims
    assert {name: claims[name] for name in expected} == expected


def test_userinfo_returns_only_the_claims_of_the_granted_scopes(rp):
    _, token = rp.tokens_for("testfc1", scope="openid given_name birthdate")

    claims = rp.verify(rp.userinfo(token["access_token"]).text).claims
    assert token["scope"] == "openid given_name birthdate"
    assert set(claims) == {"sub", "given_name", "birthdate", "iss", "aud", "iat", "exp"}
