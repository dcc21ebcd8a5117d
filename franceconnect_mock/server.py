"""The OpenID Connect provider itself: `core.oidc`'s provider, with what FranceConnect demands
on top of the protocol."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from authlib.oauth2 import OAuth2Error, OAuth2Request
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from core.oidc.grants import GrantStore
from core.oidc.server import ProviderServer, StoredCodeGrant
from franceconnect_mock import services
from franceconnect_mock.errors import FrenchOAuth2Error, translate
from franceconnect_mock.identities import Identity, get_identity
from franceconnect_mock.keys import KEYS
from franceconnect_mock.models import ACR_EIDAS1, AccessToken, AuthorizationCode, ServiceProvider

MIN_STATE_LENGTH = 32
MIN_NONCE_LENGTH = 32
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
# FranceConnect's own lifetimes are of this order: a code is exchanged at once by the
# relying party's back end, and the access token only serves the one /userinfo call.
ID_TOKEN_LIFETIME = timedelta(seconds=60)
STORE = GrantStore(
    codes=AuthorizationCode,
    tokens=AccessToken,
    code_lifetime=timedelta(seconds=60),
    access_token_lifetime=timedelta(seconds=60),
)


def issuer_for(request: HttpRequest) -> str:
    """`<base>/api/v2`, as FranceConnect's issuer. FRANCECONNECT_MOCK_ISSUER pins it when the
    mock runs behind a proxy or as its own service, where the request's host would mislead."""
    if settings.FRANCECONNECT_MOCK_ISSUER:
        return settings.FRANCECONNECT_MOCK_ISSUER.rstrip("/")
    discovery = request.build_absolute_uri(reverse("franceconnect_mock:discovery"))
    return discovery.removesuffix(DISCOVERY_SUFFIX)


def _refuse(message: str, redirect_uri: str, error: str = "invalid_request") -> FrenchOAuth2Error:
    return FrenchOAuth2Error(error, message, redirect_uri=redirect_uri)


def check_franceconnect_parameters(request: OAuth2Request, redirect_uri: str) -> None:
    """What FranceConnect requires beyond OpenID Connect itself."""
    data = request.payload.data
    if "openid" not in (data.get("scope") or "").split():
        raise _refuse("Le scope openid est obligatoire.", redirect_uri, "invalid_scope")
    if len(data.get("state") or "") < MIN_STATE_LENGTH:
        raise _refuse(
            f"Le paramètre state doit comporter au moins {MIN_STATE_LENGTH} caractères.",
            redirect_uri,
        )
    if len(data.get("nonce") or "") < MIN_NONCE_LENGTH:
        raise _refuse(
            f"Le paramètre nonce doit comporter au moins {MIN_NONCE_LENGTH} caractères.",
            redirect_uri,
        )
    if ACR_EIDAS1 not in (data.get("acr_values") or "").split():
        raise _refuse("Le paramètre acr_values=eidas1 est obligatoire.", redirect_uri)


class CodeGrant(StoredCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(ServiceProvider.token_endpoint_auth_methods)

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        check_franceconnect_parameters(self.request, redirect_uri)
        return redirect_uri

    def code_fields(self, request: OAuth2Request) -> dict[str, Any]:
        identity: Identity = request.user
        return {"identity_login": identity.login, "acr": ACR_EIDAS1}

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Identity | None:
        return get_identity(authorization_code.identity_login)


class MockAuthorizationServer(ProviderServer):
    client_model = ServiceProvider
    store = STORE
    keys = KEYS
    id_token_lifetime = ID_TOKEN_LIFETIME
    grant = CodeGrant
    require_nonce = True

    def issuer_for(self, request: HttpRequest) -> str:
        return issuer_for(request)

    def subject(self, user: Identity, client: ServiceProvider) -> str:
        return services.pairwise_sub(identity=user, provider=client)

    def token_fields(self, user: Identity) -> dict[str, Any]:
        return {"identity_login": user.login}

    def handle_error_response(
        self, request: OAuth2Request | None, error: OAuth2Error
    ) -> HttpResponse:
        if error.error == "invalid_client" and request and request.headers.get("Authorization"):
            # RFC 6749, 5.2: a client that tried the Authorization header is answered 401.
            error.status_code = 401
        return super().handle_error_response(request, translate(error))


@cache
def authorization_server() -> MockAuthorizationServer:
    return MockAuthorizationServer()
