"""The client's configuration: one per provider, and discovery documents it refuses to believe."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from mandats import franceconnect
from mandats.franceconnect import FranceConnectError, check_discovery

DISCOVERY = "https://fc.exemple.gouv.fr/api/v2/.well-known/openid-configuration"
ISSUER = "https://fc.exemple.gouv.fr/api/v2"
ENDPOINTS = {
    "authorization_endpoint": f"{ISSUER}/authorize",
    "token_endpoint": f"{ISSUER}/token",
    "userinfo_endpoint": f"{ISSUER}/userinfo",
    "jwks_uri": f"{ISSUER}/jwks",
    "end_session_endpoint": f"{ISSUER}/session/end",
}


@pytest.fixture(autouse=True)
def fresh_clients():
    franceconnect._client.cache_clear()
    yield
    franceconnect._client.cache_clear()


@pytest.fixture
def configured(settings):
    settings.FRANCECONNECT_DISCOVERY_URL = DISCOVERY
    settings.FRANCECONNECT_CLIENT_ID = "aidants-connect"
    settings.FRANCECONNECT_CLIENT_SECRET = "un-secret-de-plus-de-trente-deux-caracteres"
    return settings


def test_a_discovery_document_of_its_own_issuer_is_believed():
    check_discovery({"issuer": ISSUER, **ENDPOINTS}, DISCOVERY)


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ({"issuer": "https://autre.exemple.fr/api/v2", **ENDPOINTS}, "discovery_issuer"),
        ({"issuer": ISSUER}, "discovery_endpoints"),
        ({**ENDPOINTS}, "discovery_invalid"),
        (["pas", "un", "objet"], "discovery_invalid"),
    ],
    ids=["autre-emetteur", "sans-points-d-acces", "sans-emetteur", "pas-un-objet"],
)
def test_a_discovery_document_that_does_not_hold_together_is_refused(document, code):
    with pytest.raises(FranceConnectError) as refused:
        check_discovery(document, DISCOVERY)

    assert (refused.value.code, refused.value.status) == (code, 502)


def test_the_client_authenticates_with_client_secret_post_and_asks_one_scope_per_claim(
    configured,
):
    client = franceconnect.client()

    assert client.client_kwargs["token_endpoint_auth_method"] == "client_secret_post"
    assert client.client_kwargs["scope"].split() == [
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


def test_one_client_per_configuration(configured):
    first = franceconnect.client()
    assert franceconnect.client() is first

    configured.FRANCECONNECT_DISCOVERY_URL = (
        "https://autre.exemple.fr/.well-known/openid-configuration"
    )

    assert franceconnect.client() is not first


def test_without_a_client_secret_the_configuration_is_refused(configured):
    configured.FRANCECONNECT_CLIENT_SECRET = ""

    with pytest.raises(ImproperlyConfigured, match="FRANCECONNECT_CLIENT_SECRET"):
        franceconnect.client()
