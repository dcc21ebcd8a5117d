"""The product's own error pages (400, 403, 404, 500, CSRF failure), in French, DSFR.

Pages under /api/ answer the API's JSON error shape instead (core.api.errors), as every other API
error does. The 400 and 500 pages are rendered without context processors: a 400 may come from the
request itself (an unknown Host, which any reading of request.get_host() raises again) and a 500
from anything, the database included; neither page may fail in turn.
"""

import logging
import sys

from django.core.exceptions import DisallowedHost
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from core.api.errors import error_body
from core.context_processors import SKIPLINKS
from core.database_outage import is_database_outage, outage_response

logger = logging.getLogger(__name__)

# What answers when even the 500 template cannot render (a missing static manifest, a broken
# template): no template, no setting, nothing that can fail.
FALLBACK_500 = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Erreur du serveur — Inclusion numérique</title>
</head><body><main><h1>Erreur inattendue du serveur</h1>
<p>Le service rencontre un problème : rien n'a été enregistré de votre dernière action. Réessayez
dans quelques instants.</p><p><a href="/">Retour à l'accueil</a></p></main></body></html>"""


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def back_url(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours: the DSFR's "back" link without
    JavaScript (history.back() would need a script the CSP refuses)."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    allowed = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if referer and allowed else ""


def _page(
    request: HttpRequest, template: str, title: str, *, with_processors: bool, **extra
) -> str:
    context = {"title": title, "back_url": back_url(request), **extra}
    if with_processors:
        return loader.render_to_string(template, context, request=request)
    # The request for the CSP nonce of the DSFR's scripts; nothing read from the database.
    context.update(request=request, skiplinks=SKIPLINKS)
    return loader.render_to_string(template, context)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request"), status=400)
    body = _page(request, "400.html", "Requête incorrecte", with_processors=False)
    return HttpResponseBadRequest(body)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("permission_denied"), status=403)
    # Our views refuse with a sentence in French (a service's refusal); Django's own carry none.
    reason = str(exception) if exception is not None else ""
    body = _page(request, "403.html", "Accès refusé", with_processors=True, reason=reason)
    return HttpResponseForbidden(body)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found"), status=404)
    # Http404's message is not shown: get_object_or_404 words it in English around a model name.
    body = _page(request, "404.html", "Page introuvable", with_processors=True)
    return HttpResponseNotFound(body)


def server_error(request: HttpRequest) -> HttpResponse:
    """Called while the exception is being handled: a database that cannot be reached (raised
    by a middleware, outside any view) is an outage, answered 503, not a bug."""
    if is_database_outage(sys.exc_info()[1]):
        return outage_response(request)
    if _is_api(request):
        return JsonResponse(error_body("server_error"), status=500)
    try:
        body = _page(request, "500.html", "Erreur du serveur", with_processors=False)
    except Exception:
        logger.exception("La page d'erreur 500 n'a pas pu être rendue.")
        body = FALLBACK_500
    return HttpResponseServerError(body)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token, or with an expired one (the session ended, the
    page stayed open too long): the person must reload the form, not be told of CSRF."""
    if _is_api(request):
        return JsonResponse(error_body("csrf_failed"), status=403)
    body = _page(request, "403_csrf.html", "Formulaire expiré", with_processors=True)
    return HttpResponseForbidden(body)
