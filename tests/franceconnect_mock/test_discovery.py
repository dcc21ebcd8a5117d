import pytest
import requests
from authlib.oidc import discovery, rpinitiated
from joserfc import jwt

pytestmark = pytest.mark.django_db(transaction=True)


def test_discovery_describes_franceconnect_v2_under_the_issuer(issuer):
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)

    assert response.status_code == 200
    config = response.json()
    assert config["issuer"] == issuer
    assert issuer.endswith("/mock-franceconnect/api/v2")
    assert {name: config[name] for name in ("authorization_endpoint", "token_endpoint")} == {
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
    }
    assert config["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert config["end_session_endpoint"] == f"{issuer}/session/end"
    assert config["jwks_uri"] == f"{issuer}/jwks"
    assert config["scopes_supported"] == [
        "openid",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
        "preferred_username",
    ]
    assert config["acr_values_supported"] == ["eidas1"]
    assert config["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert config["id_token_signing_alg_values_supported"] == ["ES256"]
    assert config["userinfo_signing_alg_values_supported"] == ["ES256"]
    assert config["subject_types_supported"] == ["pairwise"]
    assert config["response_types_supported"] == ["code"]
    assert config["authorization_response_iss_parameter_supported"] is True


class ES256OnlyMetadata(discovery.OpenIDProviderMetadata):
    # OIDC Discovery wants RS256 listed; the mock signs with ES256 only, which FranceConnect
    # recommends, so that a relying party hard-wired to RS256 fails here rather than in prod.
    def validate_id_token_signing_alg_values_supported(self) -> None:
        assert self["id_token_signing_alg_values_supported"] == ["ES256"]


def test_discovery_is_valid_openid_provider_metadata(issuer):
    config = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()

    ES256OnlyMetadata(config).validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])


def test_every_endpoint_named_in_discovery_answers(issuer, rp):
    config = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()

    assert requests.get(config["jwks_uri"], timeout=10).status_code == 200
    assert requests.post(config["token_endpoint"], timeout=10).status_code == 400
    assert requests.get(config["userinfo_endpoint"], timeout=10).status_code == 401
    assert requests.get(config["end_session_endpoint"], timeout=10).status_code == 400
    page = rp.open_authorize(rp.authorize_params())
    assert page.url.startswith(config["authorization_endpoint"])
    assert page.status_code == 200


def test_franceconnect_mock_issuer_pins_the_issuer_of_discovery_and_of_tokens(rp, settings):
    pinned = "https://franceconnect.mock.exemple/api/v2"
    settings.FRANCECONNECT_MOCK_ISSUER = f"{pinned}/"

    config = requests.get(f"{rp.issuer}/.well-known/openid-configuration", timeout=10).json()
    _, token = rp.tokens_for("testfc1")
    userinfo = rp.userinfo(token["access_token"]).text

    assert config["issuer"] == pinned
    assert config["jwks_uri"] == f"{pinned}/jwks"
    assert jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256"]).claims["iss"] == pinned
    assert jwt.decode(userinfo, rp.jwks(), algorithms=["ES256"]).claims["iss"] == pinned
