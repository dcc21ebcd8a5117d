"""The OpenID Connect provider itself, assembled from authlib's server-side grants.

authlib does the protocol (client authentication, redirect URI checks, code exchange, nonce
replay, error responses); this module adds what FranceConnect demands on top of it.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator
from authlib.integrations.django_oauth2 import ResourceProtector as DjangoResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from joserfc import jwt

from franceconnect_mock import services
from franceconnect_mock.errors import FrenchOAuth2Error, translate
from franceconnect_mock.identities import SCOPES, Identity, get_identity
from franceconnect_mock.keys import ALGORITHM, signing_key_set
from franceconnect_mock.models import ACR_EIDAS1, AccessToken, AuthorizationCode, ServiceProvider

MIN_STATE_LENGTH = 32
MIN_NONCE_LENGTH = 32
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


def issuer_for(request: HttpRequest) -> str:
    """`<base>/api/v2`, as FranceConnect's issuer. FRANCECONNECT_MOCK_ISSUER pins it when the
    mock runs behind a proxy or as its own service, where the request's host would mislead."""
    pinned = getattr(settings, "FRANCECONNECT_MOCK_ISSUER", "")
    if pinned:
        return str(pinned).rstrip("/")
    discovery = request.build_absolute_uri(reverse("franceconnect_mock:discovery"))
    return discovery.removesuffix(DISCOVERY_SUFFIX)


class MockOAuth2Request(DjangoOAuth2Request):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.issuer = issuer_for(request)


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


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        check_franceconnect_parameters(self.request, redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        services.authorization_code_issue(
            code=code,
            provider=request.client,
            identity=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=request.payload.data["nonce"],
        )

    def query_authorization_code(
        self, code: str, client: ServiceProvider
    ) -> AuthorizationCode | None:
        # Claimed here rather than deleted after the exchange: the code is spent before the
        # token exists, so no concurrent request can spend it too.
        return services.authorization_code_claim(code=code, provider=client)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Already spent by query_authorization_code; the row stays to recognise replays."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Identity | None:
        return get_identity(authorization_code.identity_login)


class FranceConnectOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return AuthorizationCode.objects.filter(
            service_provider=request.client, nonce=nonce
        ).exists()

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        """The id_token as FranceConnect shapes it: technical claims only, the identity
        itself comes from /userinfo."""
        assert isinstance(request, MockOAuth2Request)
        code: AuthorizationCode = request.authorization_code
        now = int(time.time())
        claims = {
            "iss": request.issuer,
            "aud": request.client.client_id,
            "sub": services.pairwise_sub(identity=request.user, provider=request.client),
            "iat": now,
            "exp": now + int(services.ID_TOKEN_LIFETIME.total_seconds()),
            "auth_time": code.get_auth_time(),
            "nonce": code.get_nonce(),
            "acr": code.get_acr(),
            "at_hash": create_half_hash(token["access_token"], ALGORITHM).decode(),
        }
        return jwt.encode({"alg": ALGORITHM}, claims, signing_key_set(), [ALGORITHM])


class MockAuthorizationServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(ServiceProvider, AccessToken)
        self.register_grant(CodeGrant, [FranceConnectOpenIDCode(require_nonce=True)])

    def load_config(self, config: dict[str, Any]) -> None:
        # The mock is another actor: the project's AUTHLIB_OAUTH2_PROVIDER setting is not its.
        lifetime = int(services.ACCESS_TOKEN_LIFETIME.total_seconds())
        super().load_config(
            {"scopes_supported": list(SCOPES), "token_expires_in": {"authorization_code": lifetime}}
        )

    def create_oauth2_request(self, request: HttpRequest) -> MockOAuth2Request:
        return MockOAuth2Request(request)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> AccessToken:
        return services.access_token_save(
            access_token=token["access_token"],
            provider=request.client,
            identity=request.user,
            scope=token["scope"],
            authorization_code=request.authorization_code,
        )

    def handle_error_response(
        self, request: OAuth2Request | None, error: OAuth2Error
    ) -> HttpResponse:
        if error.error == "invalid_client" and request and request.headers.get("Authorization"):
            # RFC 6749, 5.2: a client that tried the Authorization header is answered 401.
            error.status_code = 401
        return super().handle_error_response(request, translate(error))


class AccessTokenValidator(BearerTokenValidator):
    def __init__(self) -> None:
        super().__init__(AccessToken)

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return services.access_token_find(token_string)


@cache
def authorization_server() -> MockAuthorizationServer:
    return MockAuthorizationServer()


@cache
def resource_protector() -> DjangoResourceProtector:
    protector = DjangoResourceProtector()
    protector.register_token_validator(AccessTokenValidator())
    return protector
