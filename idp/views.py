"""The provider's endpoints: discovery at the site root, the rest under /idp/."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oidc.core.errors import InteractionRequiredError, LoginRequiredError
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.models import Structure, User
from core.oidc.models import digest
from core.oidc.views import (
    allow_form_action,
    authorization_error,
    signed_userinfo,
    token_endpoint,
    userinfo_endpoint,
)
from idp import selectors, services
from idp.claims import PIVOT_CLAIMS, SCOPES, pivot_identity
from idp.keys import ALGORITHMS, KEYS
from idp.models import ACR_EIDAS1, AccessToken, RelyingParty, UserinfoFormat
from idp.server import SESSION_AUTH_TIME, authorization_server, issuer_for
from idp.services import Delegation
from mandats import otp
from mandats.abilities import OrganisationAbilities
from mandats.selectors import current_organisation

SESSION_REAUTH_PENDING = "idp_reauth_pending"
SESSION_REAUTH_DONE = "idp_reauth_done"
DEMARCHE_CLAIM = "demarche"
USERINFO_LIFETIME = timedelta(seconds=60)


@require_safe
def discovery(request: HttpRequest) -> JsonResponse:
    issuer = issuer_for(request)

    def url(name: str) -> str:
        return issuer + reverse(f"idp:{name}")

    return JsonResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": url("authorize"),
            "token_endpoint": url("token"),
            "userinfo_endpoint": url("userinfo"),
            "end_session_endpoint": url("session-end"),
            "jwks_uri": url("jwks"),
            "scopes_supported": list(SCOPES),
            "claims_supported": ["sub", "iss", "aud", "acr", "auth_time", *PIVOT_CLAIMS],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            # RFC 9207: authorization responses carry `iss` (core.oidc.server.with_issuer).
            "authorization_response_iss_parameter_supported": True,
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "acr_values_supported": [ACR_EIDAS1],
            "id_token_signing_alg_values_supported": list(ALGORITHMS),
            "userinfo_signing_alg_values_supported": list(ALGORITHMS),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "prompt_values_supported": ["login", "none"],
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "ui_locales_supported": ["fr"],
        }
    )


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(KEYS.published_jwks())


@never_cache  # a choice of usager and a one-time code: nothing here may come from a cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    server = authorization_server()
    # authlib answers prompt=none with login_required when it is given no end user.
    end_user = request.user if request.user.is_authenticated else None
    try:
        grant = server.get_consent_grant(request, end_user=end_user)
        demarches = _requested_demarches(grant.request.payload.data, grant.redirect_uri)
        if "none" in (grant.request.payload.data.get("prompt") or "").split():
            raise _answer_without_interaction(request, grant)
    except OAuth2Error as error:
        return authorization_error(server, request, error, _refused_authorization_page)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = _acting_organisation(request.user)
    if organisation is None:
        message = "Seul un aidant habilité peut se connecter pour un usager à un service en ligne."
        return _error_page(request, message, "access_denied", status=403)
    second_factor = _second_factor_redirect(request, request.user, grant.request.payload.data)
    if second_factor is not None:
        return second_factor
    otp.touch(request)
    client: RelyingParty = grant.request.client
    if request.method == "POST" and "cancel" in request.POST:
        # authlib answers access_denied, with the state, to the validated redirect_uri.
        return server.create_authorization_response(request, grant_user=None, grant=grant)
    choices = selectors.delegation_choices(
        organisation=organisation, client=client, demarches=demarches
    )
    refusal = ""
    if request.method == "POST":
        chosen = selectors.chosen_autorisation(choices, request.POST.get("autorisation", ""))
        if chosen is not None:
            delegation = Delegation(request.user, organisation, chosen)
            return server.create_authorization_response(request, grant_user=delegation, grant=grant)
        refusal = "Choisissez un usager et une démarche parmi ceux proposés."
    return _choice_page(request, client, choices, grant.redirect_uri, refusal)


def _acting_organisation(aidant: User) -> Structure | None:
    """The organisation on whose behalf the aidant acts for usagers, None when it may not."""
    organisation = current_organisation(aidant)
    if organisation is None:
        return None
    abilities = OrganisationAbilities(organisation.pk).get_abilities(aidant)
    return organisation if abilities["act_for_usagers"] else None


def _answer_without_interaction(request: HttpRequest, grant: Any) -> OAuth2Error:
    """prompt=none (OIDC Core 3.1.2.1): the answer, since no page may be shown.

    An aidant always chooses the usager and the démarche, so even one fully authenticated gets
    interaction_required. login_required when they would first have to authenticate (3.1.2.6):
    nobody logged in, no TOTP fresh enough for this request (inactivity, max_age), or an account
    that may not act for usagers, where only another account could go on.
    consent_required and account_selection_required never apply: no consent is asked (the
    usager gave it by signing the mandate) and a session holds one account only.
    """
    where = {"redirect_uri": grant.redirect_uri, "state": grant.request.payload.state}
    aidant = request.user
    if (
        not isinstance(aidant, User)
        or _acting_organisation(aidant) is None
        or _needs_fresh_totp(request, aidant, grant.request.payload.data)
    ):
        return LoginRequiredError(**where)
    return InteractionRequiredError(**where)


def _needs_fresh_totp(request: HttpRequest, aidant: User, data: dict[str, Any]) -> bool:
    return not _totp_verified(aidant) or _totp_too_old(request, data)


def _totp_too_old(request: HttpRequest, data: dict[str, Any]) -> bool:
    return otp.inactive_too_long(request) or _asks_fresh_login(request, data)


def _requested_demarches(data: dict[str, Any], redirect_uri: str) -> list[str] | None:
    """The démarches a `claims` request asks for ({"id_token": {"demarche": {"values": [..]}}});
    any other claim in it is ignored, as OIDC lets a provider do."""
    raw = data.get("claims")
    if not raw:
        return None
    try:
        claims = json.loads(raw)
    except ValueError:
        claims = None
    if not isinstance(claims, dict):
        raise InvalidRequestError(
            "Invalid 'claims' parameter.", redirect_uri=redirect_uri, state=data.get("state")
        )
    for member in ("id_token", "userinfo"):
        request = (claims.get(member) or {}).get(DEMARCHE_CLAIM)
        if isinstance(request, dict):
            values = request.get("values") or [request.get("value")]
            return [str(value) for value in values if value]
    return None


def _second_factor_redirect(
    request: HttpRequest, aidant: User, data: dict[str, Any]
) -> HttpResponse | None:
    """A TOTP code in this browser, fresh when the service asks for it (prompt=login, max_age)
    or after 15 minutes of inactivity; None when the aidant may go on."""
    if _totp_verified(aidant) and request.session.get(SESSION_REAUTH_PENDING) == _fingerprint(
        request
    ):
        # Back from the TOTP page for this very request: that code is the authentication.
        request.session[SESSION_REAUTH_DONE] = request.session.pop(SESSION_REAUTH_PENDING)
        request.session[SESSION_AUTH_TIME] = time.time()
    if _totp_too_old(request, data):
        otp.forget_verification(request)
    if not _totp_verified(aidant):
        request.session[SESSION_REAUTH_PENDING] = _fingerprint(request)
        has_device = otp.confirmed_device(aidant) is not None
        target = reverse("mandats:totp-verify" if has_device else "mandats:totp-setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    request.session.setdefault(SESSION_AUTH_TIME, time.time())
    return None


def _totp_verified(aidant: User) -> bool:
    # django_otp's middleware gives the request's user this method; User cannot declare it.
    return bool(aidant.is_verified())  # type: ignore[attr-defined]


def _asks_fresh_login(request: HttpRequest, data: dict[str, Any]) -> bool:
    """prompt=login or an exceeded max_age, unless this very request was already answered
    with a fresh code (its GET and its POST both carry the prompt)."""
    if request.session.get(SESSION_REAUTH_DONE) == _fingerprint(request):
        return False
    auth_time = float(request.session.get(SESSION_AUTH_TIME) or 0)
    max_age = str(data.get("max_age") or "")
    stale = max_age.isdigit() and time.time() - auth_time > int(max_age)
    return stale or "login" in (data.get("prompt") or "").split()


def _fingerprint(request: HttpRequest) -> str:
    """The authorization request's parameters, which the choice form posts back unchanged."""
    return digest(request.GET.urlencode())


def _choice_page(
    request: HttpRequest,
    client: RelyingParty,
    choices: list[selectors.UsagerChoice],
    redirect_uri: str,
    error: str,
) -> HttpResponse:
    context = {
        "title": f"Se connecter pour un usager à {client.name}",
        "client": client,
        "choices": choices,
        "error": error,
    }
    response = render(request, "idp/authorize.html", context, status=400 if error else 200)
    return allow_form_action(response, redirect_uri)


def _refused_authorization_page(request: HttpRequest, error: OAuth2Error) -> HttpResponse:
    return _error_page(request, _french_message(error), error.error or "")


def _french_message(error: OAuth2Error) -> str:
    description = error.description or ""
    if description.startswith("Redirect URI") or "redirect_uri" in description:
        return "Cette URL de retour (redirect_uri) n'est pas enregistrée pour ce service."
    if error.error in ("invalid_client", "unauthorized_client"):
        return "Ce service en ligne n'est pas enregistré auprès d'Aidants Connect."
    return "La demande de connexion de ce service en ligne est invalide."


def _error_page(request: HttpRequest, message: str, code: str, status: int = 400) -> HttpResponse:
    context = {"title": "Connexion impossible", "message": message, "code": code}
    return render(request, "idp/error.html", context, status=status)


def _bearer_error(error: OAuth2Error) -> JsonResponse:
    response = JsonResponse(dict(error.get_body()), status=error.status_code or 401)
    response["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    return response


def _userinfo(request: HttpRequest, access_token: AccessToken) -> HttpResponse:
    client: RelyingParty = access_token.relying_party
    usager = access_token.autorisation.mandat.usager
    claims: dict[str, Any] = {
        "sub": services.pairwise_sub(usager=usager, client=client),
        **pivot_identity(usager, access_token.scope),
    }
    if client.userinfo_format != UserinfoFormat.JWT:
        return JsonResponse(claims)
    return signed_userinfo(
        KEYS,
        claims,
        issuer=issuer_for(request),
        client_id=client.client_id,
        algorithm=client.signing_algorithm,
        lifetime=USERINFO_LIFETIME,
    )


token = token_endpoint(authorization_server)
userinfo = userinfo_endpoint(authorization_server, answer=_userinfo, refuse=_bearer_error)


@require_safe
def session_end(request: HttpRequest) -> HttpResponse:
    """RP-initiated logout: the service's session ends on its side; the aidant stays logged in to
    Aidants Connect, where the next usager is helped. Back to the service when it is known."""
    redirect_uri = request.GET.get("post_logout_redirect_uri", "")
    client = _client_of_logout(request)
    if redirect_uri and client is not None and redirect_uri in client.post_logout_redirect_uris:
        state = request.GET.get("state")
        params = [("state", state)] if state else []
        return HttpResponseRedirect(add_params_to_uri(redirect_uri, params))
    if redirect_uri:
        message = "Cette URL de retour après déconnexion n'est pas enregistrée pour ce service."
        return _error_page(request, message, "invalid_request")
    return render(request, "idp/logged_out.html", {"title": "Déconnexion du service en ligne"})


def _client_of_logout(request: HttpRequest) -> RelyingParty | None:
    """The service named by id_token_hint (its expiry does not matter: a person may log out
    long after logging in) or, failing that, by client_id."""
    hint = request.GET.get("id_token_hint", "")
    client_id = request.GET.get("client_id", "")
    if hint:
        client_id = KEYS.audience_of_id_token(hint, issuer=issuer_for(request)) or ""
        if not client_id:
            return None
    return RelyingParty.objects.filter(client_id=client_id).first() if client_id else None
