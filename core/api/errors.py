"""One shape for every API error: {"code": …, "message": …, "details": …}, in French.

`details` is always an object: for a validation error, the messages keyed by field (errors of the
whole body under non_field_errors); otherwise empty.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

_MESSAGES = {
    "invalid": "Les données envoyées ne sont pas valides.",
    "parse_error": "Le corps de la requête n'est pas un JSON valide.",
    "not_authenticated": "Authentification requise : connectez-vous ou fournissez un jeton.",
    "authentication_failed": "Authentification refusée : jeton ou identifiants invalides.",
    "permission_denied": "Vous n'avez pas le droit d'effectuer cette action.",
    "not_found": "Ressource introuvable.",
    "method_not_allowed": "Méthode non autorisée sur cette ressource.",
    "not_acceptable": "Cette ressource ne sait répondre qu'en JSON (en-tête Accept).",
    "unsupported_media_type": "Type de contenu non pris en charge",
    "throttled": "Trop de requêtes : réessayez dans quelques instants.",
    "service_unavailable": "La base de données est momentanément injoignable : réessayez dans "
    "quelques instants (voir l'en-tête Retry-After).",
    # Answered by the site's error handlers (core.error_pages) for a path under /api/.
    "bad_request": "Requête incorrecte : elle n'a pas pu être traitée.",
    "csrf_failed": "Jeton CSRF absent ou expiré : authentifiez-vous par jeton (Authorization: "
    "Token …) ou rechargez la page.",
    "server_error": "Erreur inattendue du serveur : réessayez dans quelques instants.",
}
# DRF words these in English around the request's own values (method, media type, parser
# error): never shown as they are.
_ALWAYS_OURS = {"parse_error", "method_not_allowed", "not_acceptable", "unsupported_media_type"}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # A service's refusal says why, in French; keep it.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = _body(exc)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        body["message"] = _unsupported_media_type(context)
    return Response(body, status=response.status_code, headers=_headers(response))


# It changes nothing and answers every method: the CSRF check (an HTML 403 for a token caller's
# POST) has nothing to protect here.
@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any path under /api/ that no endpoint matches (an unknown path, an id of the wrong form):
    the API's 404, never Django's HTML page."""
    return JsonResponse(error_body("not_found"), status=404)


def error_body(code: str) -> dict:
    return {"code": code, "message": _MESSAGES[code], "details": {}}


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A model's or service's errors keyed by field; errors of the whole object under
    non_field_errors, as DRF names them."""
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": exc.messages}
    return {
        ("non_field_errors" if field == "__all__" else field): messages
        for field, messages in exc.message_dict.items()
    }


def _body(exc: exceptions.APIException) -> dict:
    codes = exc.get_codes()
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail
        if not isinstance(details, dict):
            details = {"non_field_errors": details}
        return {"code": "invalid", "message": _MESSAGES["invalid"], "details": details}
    code = codes if isinstance(codes, str) else exc.default_code
    # Our own wording for DRF's stock messages; a message written for the case is kept as is.
    custom = str(exc.detail) != str(exc.default_detail) and code not in _ALWAYS_OURS
    if isinstance(exc, exceptions.Throttled):
        # DRF appends the wait to its stock sentence; a policy's own message is kept.
        custom = not str(exc.detail).startswith(str(exc.default_detail))
    message = str(exc.detail) if custom else _MESSAGES.get(code, str(exc.detail))
    return {"code": code, "message": message, "details": {}}


def _unsupported_media_type(context: dict) -> str:
    request = context.get("request")
    accepted = [parser.media_type for parser in getattr(request, "parsers", None) or []]
    if not accepted:
        return _MESSAGES["unsupported_media_type"] + "."
    return f"{_MESSAGES['unsupported_media_type']} : envoyez {' ou '.join(accepted)}."


def _headers(response: Response) -> dict:
    keep = ("WWW-Authenticate", "Retry-After", "Allow")
    return {name: response[name] for name in keep if response.has_header(name)}
