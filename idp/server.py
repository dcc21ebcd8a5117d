"""The OpenID Connect provider, assembled from authlib's server-side grants.

authlib does the protocol (client authentication, redirect URI checks, PKCE, code exchange,
nonce replay, error responses); this module plugs Aidants Connect's mandates into it.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator
from authlib.integrations.django_oauth2 import ResourceProtector as DjangoResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.http import HttpRequest
from joserfc import jwt

from idp import services
from idp.claims import SCOPES
from idp.keys import signing_key_set
from idp.models import ACR_EIDAS1, AccessToken, AuthorizationCode, RelyingParty
from idp.services import Delegation

SESSION_AUTH_TIME = "idp_auth_time"


def issuer_for(request: HttpRequest) -> str:
    """The site root, where /.well-known/openid-configuration is served. IDP_ISSUER pins it
    behind a proxy, where the request's host would mislead."""
    pinned = getattr(settings, "IDP_ISSUER", "")
    return str(pinned or request.build_absolute_uri("/")).rstrip("/")


class IdpOAuth2Request(DjangoOAuth2Request):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.issuer = issuer_for(request)
        self.auth_time = float(request.session.get(SESSION_AUTH_TIME) or time.time())


class S256CodeChallenge(CodeChallenge):
    # `plain` protects nothing against an interception of the authorization request.
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def get_authorization_code_challenge(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge_method


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        assert isinstance(request, IdpOAuth2Request)
        services.authorization_code_issue(
            code=code,
            client=request.client,
            delegation=request.user,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            nonce=data.get("nonce") or "",
            code_challenge=data.get("code_challenge") or "",
            code_challenge_method=data.get("code_challenge_method") or "",
            auth_time=request.auth_time,
        )

    def query_authorization_code(self, code: str, client: RelyingParty) -> AuthorizationCode | None:
        # Claimed here rather than deleted after the exchange: the code is spent before the
        # token exists, so no concurrent request can spend it too.
        return services.authorization_code_claim(code=code, client=client)

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Already spent by query_authorization_code; the row stays to recognise replays."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Delegation | None:
        return services.delegation_use(code=authorization_code)


class IdpOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return AuthorizationCode.objects.filter(relying_party=request.client, nonce=nonce).exists()

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        """Technical claims only: the usager's identity is released by /userinfo, per scope."""
        assert isinstance(request, IdpOAuth2Request)
        client: RelyingParty = request.client
        code: AuthorizationCode = request.authorization_code
        algorithm = client.signing_algorithm
        now = int(time.time())
        claims = {
            "iss": request.issuer,
            "aud": client.client_id,
            "sub": services.pairwise_sub(usager=request.user.usager, client=client),
            "iat": now,
            "exp": now + int(services.ID_TOKEN_LIFETIME.total_seconds()),
            "auth_time": code.get_auth_time(),
            "acr": ACR_EIDAS1,
            "at_hash": create_half_hash(token["access_token"], algorithm).decode(),
        }
        if code.nonce:
            claims["nonce"] = code.nonce
        return jwt.encode({"alg": algorithm}, claims, signing_key_set(algorithm), [algorithm])


class IdpAuthorizationServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(RelyingParty, AccessToken)
        self.register_grant(CodeGrant, [IdpOpenIDCode(), S256CodeChallenge(required=False)])

    def load_config(self, config: dict[str, Any]) -> None:
        # The AUTHLIB_OAUTH2_PROVIDER setting, if any, is not this provider's.
        lifetime = int(services.ACCESS_TOKEN_LIFETIME.total_seconds())
        super().load_config(
            {"scopes_supported": list(SCOPES), "token_expires_in": {"authorization_code": lifetime}}
        )

    def create_oauth2_request(self, request: HttpRequest) -> IdpOAuth2Request:
        return IdpOAuth2Request(request)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> AccessToken:
        return services.access_token_save(
            access_token=token["access_token"],
            client=request.client,
            delegation=request.user,
            scope=token["scope"],
            code=request.authorization_code,
        )


class AccessTokenValidator(BearerTokenValidator):
    def __init__(self) -> None:
        super().__init__(AccessToken)

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        return services.access_token_find(token_string)


@cache
def authorization_server() -> IdpAuthorizationServer:
    return IdpAuthorizationServer()


@cache
def resource_protector() -> DjangoResourceProtector:
    protector = DjangoResourceProtector()
    protector.register_token_validator(AccessTokenValidator())
    return protector
