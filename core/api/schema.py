"""The OpenAPI schema declares the error responses once for every operation, so that each 4xx
the API can answer is documented where it can happen, in the one error shape."""

from drf_spectacular.openapi import AutoSchema

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_COMPONENT = {
    "type": "object",
    "description": "Le corps de toute erreur de l'API.",
    "properties": {
        "code": {"type": "string", "description": "Code stable de l'erreur (invalid, not_found…)."},
        "message": {"type": "string", "description": "Message en français, affichable tel quel."},
        "details": {
            "type": "object",
            "additionalProperties": {},
            "description": "Pour une erreur de validation : les messages par nom de champ "
            "(non_field_errors pour l'ensemble) ; sinon vide.",
        },
    },
    "required": ["code", "message", "details"],
}
ERRORS = {
    "400": "Requête invalide : données refusées, JSON mal formé, caractère nul, paramètre de "
    "requête inconnu ou valeur hors de celles permises, numéro ou taille de page hors bornes. "
    "Les messages, par champ ou paramètre, sont dans `details`.",
    "401": "Authentification requise, ou jeton invalide ou expiré.",
    "403": "Action non permise à cette personne, ou pas dans l'état actuel du dossier.",
    "404": "Introuvable : hors du périmètre de la personne, identifiant mal formé, ou page "
    "au-delà de la dernière.",
    "406": "Version de l'API inconnue dans l'en-tête `Accept` (`application/json; version=1`), "
    "ou type de réponse autre que JSON demandé.",
}
# Any operation, during a database restart or failover (core/database_outage.py).
UNAVAILABLE = {
    "description": "Base de données momentanément injoignable (redémarrage, bascule) : la requête "
    "n'a pas abouti, réessayez après le délai donné par l'en-tête `Retry-After`.",
    "headers": {
        "Retry-After": {
            "description": "Secondes à attendre avant de réessayer.",
            "schema": {"type": "integer"},
        }
    },
    "content": {"application/json": {"schema": ERROR_REF}},
}
BODY_ERRORS = {"415": "Type de contenu non pris en charge : voir les types du corps documenté."}


def document_errors(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: adds the error responses an operation does not declare itself."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                response = responses.setdefault(code, {"description": description})
                response["content"] = {"application/json": {"schema": ERROR_REF}}
            responses.setdefault("503", UNAVAILABLE)
    return result


class SingleObjectSchema(AutoSchema):
    """For a `list` action that answers one object (a report), not a list of rows."""

    def _is_list_view(self, serializer=None) -> bool:
        return False
