"""What the providers' endpoints share: the token and /userinfo endpoints, the answer to a
refused authorization request, and signed /userinfo responses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.oidc.keys import KeyRing
from core.oidc.models import HashedAccessToken
from core.oidc.server import ProviderServer

View = Callable[[HttpRequest], HttpResponse]
TokenT = TypeVar("TokenT", bound=HashedAccessToken)


def token_endpoint(server: Callable[[], ProviderServer]) -> View:
    @csrf_exempt  # called server to server, authenticated by the client secret
    @require_POST
    def token(request: HttpRequest) -> HttpResponse:
        return server().create_token_response(request)

    return token


def userinfo_endpoint(
    server: Callable[[], ProviderServer],
    *,
    answer: Callable[[HttpRequest, TokenT], HttpResponse],
    refuse: Callable[[OAuth2Error], HttpResponse],
) -> View:
    """/userinfo: `answer` for a valid bearer token with the openid scope, `refuse` otherwise."""

    @csrf_exempt  # called server to server with a bearer token, GET or POST as OIDC allows
    @require_http_methods(["GET", "POST"])
    def userinfo(request: HttpRequest) -> HttpResponse:
        try:
            access_token = server().resource_protector.acquire_token(request, scopes=["openid"])
        except OAuth2Error as error:
            return refuse(error)
        return answer(request, access_token)

    return userinfo


def authorization_error(
    server: ProviderServer,
    request: HttpRequest,
    error: OAuth2Error,
    error_page: Callable[[HttpRequest, OAuth2Error], HttpResponse],
) -> HttpResponse:
    if error.redirect_uri:
        # Only set once authlib has matched redirect_uri with the client's registered ones.
        response: HttpResponse = server.handle_error_response(None, error)
        return server.with_issuer(request, response)
    # An unknown client or an unregistered redirect_uri: redirecting would make the provider an
    # open redirector, so the person gets a page instead.
    return error_page(request, error)


def allow_form_action(response: HttpResponse, redirect_uri: str) -> HttpResponse:
    """Browsers apply form-action to the redirect that follows a form: allow the client's."""
    parts = urlsplit(redirect_uri)
    response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]  # django-csp reads this attribute
    return response


def signed_userinfo(
    keys: KeyRing[Any],
    claims: dict[str, Any],
    *,
    issuer: str,
    client_id: str,
    algorithm: str,
    lifetime: timedelta,
) -> HttpResponse:
    """/userinfo as a JWT (application/jwt), signed like the id_token and addressed to the
    client, so that it cannot be replayed to another."""
    now = int(timezone.now().timestamp())
    exp = now + int(lifetime.total_seconds())
    body = keys.sign({**claims, "iss": issuer, "aud": client_id, "iat": now, "exp": exp}, algorithm)
    return HttpResponse(body, content_type="application/jwt")
