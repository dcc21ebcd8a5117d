"""One shape for every API error: {"code": …, "message": …, "details": …}, in French."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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
    "throttled": "Trop de requêtes : réessayez dans quelques instants.",
}


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
    return Response(_body(exc), status=response.status_code, headers=_headers(response))


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
        return {"code": "invalid", "message": _MESSAGES["invalid"], "details": exc.detail}
    code = codes if isinstance(codes, str) else exc.default_code
    # Our own wording for DRF's stock messages; a message written for the case is kept as is.
    custom = str(exc.detail) != str(exc.default_detail)
    message = str(exc.detail) if custom else _MESSAGES.get(code, str(exc.detail))
    return {"code": code, "message": message, "details": {}}


def _headers(response: Response) -> dict:
    keep = ("WWW-Authenticate", "Retry-After", "Allow")
    return {name: response[name] for name in keep if response.has_header(name)}
