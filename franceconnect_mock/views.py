"""The endpoints of FranceConnect v2 as the mock serves them, under <base>/api/v2/."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import MissingAuthorizationError, UnsupportedTokenTypeError
from authlib.oauth2.rfc6750 import InvalidTokenError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.oidc.views import (
    allow_form_action,
    authorization_error,
    signed_userinfo,
    token_endpoint,
    userinfo_endpoint,
)
from franceconnect_mock import services
from franceconnect_mock.errors import french_message, translate
from franceconnect_mock.identities import IDENTITIES, IDENTITY_SCOPES, SCOPES, get_identity
from franceconnect_mock.keys import ALGORITHM, KEYS, published_jwks
from franceconnect_mock.models import ACR_EIDAS1, AccessToken, ServiceProvider
from franceconnect_mock.server import (
    ID_TOKEN_LIFETIME,
    authorization_server,
    issuer_for,
)

SCOPE_LABELS = {
    "given_name": "vos prénoms",
    "family_name": "votre nom de naissance",
    "birthdate": "votre date de naissance",
    "gender": "votre sexe",
    "birthplace": "votre lieu de naissance",
    "birthcountry": "votre pays de naissance",
    "email": "votre adresse électronique",
    "preferred_username": "votre nom d'usage",
}


@require_safe
def discovery(request: HttpRequest) -> JsonResponse:
    issuer = issuer_for(request)
    return JsonResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "end_session_endpoint": f"{issuer}/session/end",
            "jwks_uri": f"{issuer}/jwks",
            "scopes_supported": list(SCOPES),
            "claims_supported": ["sub", *IDENTITY_SCOPES],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            # RFC 9207: authorization responses carry `iss` (core.oidc.server.with_issuer).
            "authorization_response_iss_parameter_supported": True,
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "acr_values_supported": [ACR_EIDAS1],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "userinfo_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "ui_locales_supported": ["fr"],
        }
    )


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(published_jwks())


@never_cache  # a login page and a one-time code: nothing here may be replayed from a cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    server = authorization_server()
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return authorization_error(server, request, error, _refused_authorization_page)
    if request.method == "GET":
        return _login_page(request, grant.request.client, grant.request.scope, grant.redirect_uri)
    if "cancel" in request.POST:
        # authlib answers access_denied, with the state, to the validated redirect_uri.
        return server.create_authorization_response(request, grant_user=None, grant=grant)
    identity = get_identity(request.POST.get("identity", ""))
    if identity is None:
        return _error_page(request, "Cette identité de démonstration n'existe pas.", "")
    return server.create_authorization_response(request, grant_user=identity, grant=grant)


def _refused_authorization_page(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    return _error_page(request, french_message(error), error.error or "")


def _login_page(
    request: HttpRequest, provider: ServiceProvider, scope: str, redirect_uri: str
) -> HttpResponse:
    granted = scope.split()
    context = {
        "title": "Connexion avec FranceConnect (simulation)",
        "provider": provider,
        "identities": IDENTITIES,
        "requested_data": [label for name, label in SCOPE_LABELS.items() if name in granted],
    }
    return allow_form_action(
        render(request, "franceconnect_mock/login.html", context), redirect_uri
    )


def _error_page(request: HttpRequest, message: str, code: str) -> HttpResponse:
    context = {"title": "Erreur — FranceConnect (simulation)", "message": message, "code": code}
    return render(request, "franceconnect_mock/error.html", context, status=400)


def _userinfo(request: HttpRequest, access_token: AccessToken) -> HttpResponse:
    identity = access_token.get_user()
    if identity is None:
        return _bearer_error(InvalidTokenError())
    provider: ServiceProvider = access_token.service_provider
    claims: dict[str, Any] = {
        "sub": services.pairwise_sub(identity=identity, provider=provider),
        **identity.claims(set(access_token.scope.split())),
    }
    return signed_userinfo(
        KEYS,
        claims,
        issuer=issuer_for(request),
        client_id=provider.client_id,
        algorithm=ALGORITHM,
        lifetime=ID_TOKEN_LIFETIME,
    )


def _bearer_error(error: OAuth2Error) -> JsonResponse:
    translate(error)
    if isinstance(error, MissingAuthorizationError | UnsupportedTokenTypeError):
        # RFC 6750, 3.1: no error code in the challenge when no bearer token was sent.
        challenge = "Bearer"
        body = {"error": "invalid_request", "error_description": error.description}
    else:
        challenge = f'Bearer error="{error.error}", error_description="{error.description}"'
        body = {"error": error.error, "error_description": error.description}
    response = JsonResponse(body, status=error.status_code or 401)
    response["WWW-Authenticate"] = challenge
    return response


@require_safe
def session_end(request: HttpRequest) -> HttpResponse:
    hint = request.GET.get("id_token_hint", "")
    state = request.GET.get("state", "")
    redirect_uri = request.GET.get("post_logout_redirect_uri", "")
    if not (hint and state and redirect_uri):
        message = (
            "Les paramètres id_token_hint, state et post_logout_redirect_uri sont obligatoires."
        )
        return _error_page(request, message, "invalid_request")
    client_id = KEYS.audience_of_id_token(hint, issuer=issuer_for(request))
    provider = ServiceProvider.objects.filter(client_id=client_id).first() if client_id else None
    if provider is None:
        message = "Le paramètre id_token_hint n'est pas un id_token émis par FranceConnect."
        return _error_page(request, message, "invalid_request")
    if redirect_uri not in provider.post_logout_redirect_uris:
        message = "Cette URL de retour après déconnexion n'est pas enregistrée pour ce client."
        return _error_page(request, message, "invalid_request")
    return HttpResponseRedirect(add_params_to_uri(redirect_uri, [("state", state)]))


token = token_endpoint(authorization_server)
userinfo = userinfo_endpoint(authorization_server, answer=_userinfo, refuse=_bearer_error)
