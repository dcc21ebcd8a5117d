"""An OpenID Connect provider assembled from authlib's server-side grants, with its codes and
tokens in a `GrantStore` and its keys in a `KeyRing`.

authlib does the protocol (client authentication, redirect URI checks, code exchange, nonce
replay, error responses); a provider subclasses `ProviderServer` to say who logs in and what
its issuer is.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator
from authlib.integrations.django_oauth2 import ResourceProtector as DjangoResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from django.http import HttpRequest, HttpResponse

from core.oidc.grants import GrantStore
from core.oidc.keys import KeyRing
from core.oidc.models import HashedAccessToken, HashedAuthorizationCode, HashedSecretClient


class ProviderRequest(DjangoOAuth2Request):
    """authlib's request, with the issuer the provider answers as and, when the provider knows
    it, the time the person authenticated (a timestamp; otherwise when the code is issued)."""

    def __init__(self, request: HttpRequest, *, issuer: str, auth_time: float | None = None):
        super().__init__(request)
        self.issuer = issuer
        self.auth_time = datetime.fromtimestamp(auth_time, tz=UTC) if auth_time else None


class StoredCodeGrant(AuthorizationCodeGrant):
    """The code flow, with codes kept by the server's `GrantStore`. Subclasses say what a code
    keeps of the person who logged in (`code_fields`) and find them back (`authenticate_user`)."""

    def code_fields(self, request: OAuth2Request) -> dict[str, Any]:
        raise NotImplementedError

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        assert isinstance(request, ProviderRequest)
        self.server.store.code_issue(
            code=code,
            client=request.client,
            auth_time=request.auth_time,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            nonce=request.payload.data.get("nonce") or "",
            **self.code_fields(request),
        )

    def query_authorization_code(
        self, code: str, client: HashedSecretClient
    ) -> HashedAuthorizationCode | None:
        # Claimed here rather than deleted after the exchange: the code is spent before the
        # token exists, so no concurrent request can spend it too.
        store: GrantStore[Any, Any] = self.server.store
        return store.code_claim(code=code, client=client)

    def delete_authorization_code(self, authorization_code: HashedAuthorizationCode) -> None:
        """Already spent by query_authorization_code; the row stays to recognise replays."""


class SignedOpenIDCode(OpenIDCode):
    """The id_token as FranceConnect shapes it, and Aidants Connect after it: technical claims
    only, the identity itself comes from /userinfo."""

    def __init__(self, server: ProviderServer, *, require_nonce: bool) -> None:
        super().__init__(require_nonce=require_nonce)
        self.server = server

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self.server.store.nonce_used(client=request.client, nonce=nonce)

    def encode_id_token(self, token: dict[str, Any], request: OAuth2Request) -> str:
        assert isinstance(request, ProviderRequest)
        client: HashedSecretClient = request.client
        code: HashedAuthorizationCode = request.authorization_code
        algorithm = client.id_token_signed_response_alg
        now = int(time.time())
        claims = {
            "iss": request.issuer,
            "aud": client.client_id,
            "sub": self.server.subject(request.user, client),
            "iat": now,
            "exp": now + int(self.server.id_token_lifetime.total_seconds()),
            "auth_time": code.get_auth_time(),
            "acr": code.get_acr(),
            "at_hash": create_half_hash(token["access_token"], algorithm).decode(),
        }
        if code.nonce:
            claims["nonce"] = code.nonce
        return self.server.keys.sign(claims, algorithm)


class ProviderServer(AuthorizationServer):
    """One provider, declared by its subclass: its clients, stored grants, keys and code grant.
    The subclass also gives its issuer (`issuer_for`), a client's `sub` for the person
    (`subject`) and what a token keeps of that person (`token_fields`)."""

    client_model: type[HashedSecretClient]
    store: GrantStore[Any, Any]
    keys: KeyRing[Any]
    id_token_lifetime: timedelta
    grant: type[StoredCodeGrant]
    grant_extensions: tuple[object, ...] = ()
    require_nonce = False

    def __init__(self) -> None:
        super().__init__(self.client_model, self.store.tokens)
        openid = SignedOpenIDCode(self, require_nonce=self.require_nonce)
        self.register_grant(self.grant, [openid, *self.grant_extensions])
        self.resource_protector = resource_protector_for(self.store)

    def issuer_for(self, request: HttpRequest) -> str:
        raise NotImplementedError

    def subject(self, user: Any, client: HashedSecretClient) -> str:
        raise NotImplementedError

    def token_fields(self, user: Any) -> dict[str, Any]:
        raise NotImplementedError

    def load_config(self, config: dict[str, Any]) -> None:
        # The project's AUTHLIB_OAUTH2_PROVIDER setting, if any, is no provider's in particular.
        lifetime = int(self.store.access_token_lifetime.total_seconds())
        scopes = list(self.client_model.supported_scopes)
        super().load_config(
            {"scopes_supported": scopes, "token_expires_in": {"authorization_code": lifetime}}
        )

    def create_oauth2_request(self, request: HttpRequest) -> ProviderRequest:
        return ProviderRequest(request, issuer=self.issuer_for(request))

    def create_authorization_response(
        self, request: HttpRequest, grant_user: Any = None, grant: Any = None
    ) -> HttpResponse:
        response = super().create_authorization_response(request, grant_user, grant)
        return self.with_issuer(request, response)

    def with_issuer(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """RFC 9207: every authorization response sent back to the client, errors included,
        names the issuer, so that a client of several providers can tell which one answered
        (a mix-up attack swaps them). Announced in discovery by
        `authorization_response_iss_parameter_supported`."""
        location = response.get("Location")
        if location:
            response["Location"] = add_params_to_uri(location, [("iss", self.issuer_for(request))])
        return response

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> HashedAccessToken:
        return self.store.token_save(
            access_token=token["access_token"],
            client=request.client,
            code=request.authorization_code,
            scope=token["scope"],
            **self.token_fields(request.user),
        )


class StoredTokenValidator(BearerTokenValidator):
    """Bearer tokens looked up by digest in a `GrantStore`."""

    def __init__(self, store: GrantStore[Any, Any]) -> None:
        super().__init__(store.tokens)
        self.store = store

    def authenticate_token(self, token_string: str) -> HashedAccessToken | None:
        return self.store.token_find(token_string)


def resource_protector_for(store: GrantStore[Any, Any]) -> DjangoResourceProtector:
    protector = DjangoResourceProtector()
    protector.register_token_validator(StoredTokenValidator(store))
    return protector
