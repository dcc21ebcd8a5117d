"""The OpenID Connect provider: `core.oidc`'s provider, with PKCE, and Aidants Connect's
mandates as what a service receives."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import InvalidScopeError
from authlib.oauth2.rfc7636 import CodeChallenge
from django.conf import settings
from django.http import HttpRequest

from core.oidc.grants import GrantStore
from core.oidc.server import ProviderRequest, ProviderServer, StoredCodeGrant
from idp import services
from idp.keys import KEYS
from idp.models import AccessToken, AuthorizationCode, RelyingParty
from idp.services import Delegation

SESSION_AUTH_TIME = "idp_auth_time"
ID_TOKEN_LIFETIME = timedelta(minutes=5)
# A code is exchanged at once by the service's back end; the access token only serves the
# /userinfo call that follows. Three minutes, not one: relying-party libraries treat a token as
# expired a minute early (authlib's default leeway), which would make a 60 s token unusable.
STORE = GrantStore(
    codes=AuthorizationCode,
    tokens=AccessToken,
    code_lifetime=timedelta(seconds=60),
    access_token_lifetime=timedelta(minutes=3),
    code_related=("aidant", "organisation", "autorisation__mandat__usager"),
    token_related=("autorisation__mandat__usager",),
)


def issuer_for(request: HttpRequest) -> str:
    """The site root, where /.well-known/openid-configuration is served. IDP_ISSUER pins it
    behind a proxy, where the request's host would mislead."""
    return (settings.IDP_ISSUER or request.build_absolute_uri("/")).rstrip("/")


class S256CodeChallenge(CodeChallenge):
    # `plain` protects nothing against an interception of the authorization request.
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def get_authorization_code_challenge(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: AuthorizationCode) -> str:
        return authorization_code.code_challenge_method


class CodeGrant(StoredCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(RelyingParty.token_endpoint_auth_methods)

    def code_fields(self, request: OAuth2Request) -> dict[str, Any]:
        delegation: Delegation = request.user
        data = request.payload.data
        return {
            "aidant": delegation.aidant,
            "organisation": delegation.organisation,
            "autorisation": delegation.autorisation,
            "code_challenge": data.get("code_challenge") or "",
            "code_challenge_method": data.get("code_challenge_method") or "",
        }

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Delegation | None:
        return services.delegation_use(code=authorization_code)


class IdpAuthorizationServer(ProviderServer):
    client_model = RelyingParty
    store = STORE
    keys = KEYS
    id_token_lifetime = ID_TOKEN_LIFETIME
    grant = CodeGrant
    grant_extensions = (S256CodeChallenge(required=False),)

    def issuer_for(self, request: HttpRequest) -> str:
        return issuer_for(request)

    def validate_requested_scope(self, scope: str | None) -> None:
        """Scopes unknown here are ignored, not refused (OIDC Core 3.1.2.1 and 5.4): libraries
        add `offline_access` and the like by default. The client's `get_allowed_scope` keeps
        the known ones, and only those are granted. `openid` stays required: without it the
        request is no OpenID Connect login and no id_token would be issued."""
        if "openid" not in (scope or "").split():
            raise InvalidScopeError("The 'openid' scope is required.")

    def create_oauth2_request(self, request: HttpRequest) -> ProviderRequest:
        # The aidant authenticated when their TOTP code was last checked for this provider.
        auth_time = request.session.get(SESSION_AUTH_TIME)
        return ProviderRequest(request, issuer=issuer_for(request), auth_time=auth_time)

    def subject(self, user: Delegation, client: RelyingParty) -> str:
        return services.pairwise_sub(usager=user.usager, client=client)

    def token_fields(self, user: Delegation) -> dict[str, Any]:
        return {"autorisation": user.autorisation}


@cache
def authorization_server() -> IdpAuthorizationServer:
    return IdpAuthorizationServer()
