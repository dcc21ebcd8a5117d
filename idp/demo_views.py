"""The demo public service, "Démarche en ligne (démo)": a relying party inside the demo
server, talking to Aidants Connect over HTTP from the discovery URL alone (the runserver is
threaded, so it can call itself)."""

from __future__ import annotations

import secrets

from authlib.common.errors import AuthlibBaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from joserfc.errors import JoseError
from requests import RequestException

from idp import demo
from idp.relying_party import Provider, client_session, fetch_identity

SESSION_KEY = "demo_rp_transaction"
SCOPE = "openid profile birth email"


def _discovery_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("idp:discovery"))


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("idp:demo-callback"))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "idp/demo_home.html", {"title": "Démarche en ligne (démo)"})


@require_POST
def login(request: HttpRequest) -> HttpResponse:
    provider = Provider.discover(_discovery_url(request))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(48)
    with client_session(
        demo.DEMO_CLIENT_ID, demo.DEMO_CLIENT_SECRET, _callback_url(request), SCOPE
    ) as session:
        url, _ = session.create_authorization_url(
            provider.metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=code_verifier,
            acr_values="eidas1",
        )
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": code_verifier}
    return HttpResponseRedirect(url)


@never_cache
@require_safe
def callback(request: HttpRequest) -> HttpResponse:
    transaction = request.session.pop(SESSION_KEY, None)
    context: dict = {"title": "Démarche en ligne (démo)"}
    if transaction is None or request.GET.get("state") != transaction["state"]:
        context["error"] = "Cette réponse ne correspond à aucune connexion en cours."
        return render(request, "idp/demo_home.html", context, status=400)
    if "error" in request.GET:
        context["error"] = "La connexion avec Aidants Connect a été annulée ou refusée."
        return render(request, "idp/demo_home.html", context, status=400)
    provider = Provider.discover(_discovery_url(request))
    with client_session(
        demo.DEMO_CLIENT_ID, demo.DEMO_CLIENT_SECRET, _callback_url(request), SCOPE
    ) as session:
        try:
            _, userinfo = fetch_identity(
                provider,
                session,
                request.build_absolute_uri(),
                state=transaction["state"],
                code_verifier=transaction["verifier"],
                nonce=transaction["nonce"],
            )
        except (AuthlibBaseError, JoseError, RequestException, ValueError):
            context["error"] = "L'identité transmise par Aidants Connect n'a pas pu être vérifiée."
            return render(request, "idp/demo_home.html", context, status=502)
    context["identity"] = userinfo
    return render(request, "idp/demo_home.html", context)
