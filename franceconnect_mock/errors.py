"""OIDC errors in French.

RFC 6749 (4.1.2.1 and 5.2) limits `error_description` to printable ASCII, so the description
sent to a relying party is the French message stripped of its accents; the error page shown
to a person keeps the accents.
"""

from __future__ import annotations

import unicodedata

from authlib.oauth2 import OAuth2Error


class FrenchOAuth2Error(OAuth2Error):
    """An OIDC error raised by the mock itself, with its French message."""

    def __init__(self, error: str, message: str, *, redirect_uri: str | None = None) -> None:
        super().__init__(description=ascii_fold(message), redirect_uri=redirect_uri, error=error)
        self.message = message


# authlib raises its own errors with English descriptions; these are the ones a relying
# party meets with FranceConnect's parameters.
_AUTHLIB_DESCRIPTIONS = {
    "Missing 'client_id' parameter.": "Le paramètre client_id est obligatoire.",
    "The client does not exist on this server.": (
        "Ce client_id n'est pas enregistré auprès de FranceConnect (simulation)."
    ),
    "Missing 'redirect_uri' in request.": "Le paramètre redirect_uri est obligatoire.",
    "Missing 'nonce' in request.": "Le paramètre nonce est obligatoire.",
    "Replay attack": "Ce nonce a déjà servi : la demande est refusée comme un rejeu.",
}
_BY_ERROR_CODE = {
    "invalid_client": (
        "Authentification du fournisseur de service impossible : client_id ou client_secret "
        "invalide (seule la méthode client_secret_post est acceptée)."
    ),
    "invalid_grant": "Le code d'autorisation est invalide, expiré ou déjà utilisé.",
    "unsupported_grant_type": "Seul grant_type=authorization_code est accepté.",
    "unsupported_response_type": "Seul response_type=code est accepté.",
    "unauthorized_client": "Ce fournisseur de service n'est pas autorisé à faire cette demande.",
    "invalid_scope": "Un des scopes demandés n'existe pas chez FranceConnect.",
    "access_denied": "L'usager a annulé sa connexion avec FranceConnect.",
    "login_required": "L'usager doit s'identifier : prompt=none est impossible ici.",
    "invalid_token": "Le jeton d'accès est invalide, expiré ou révoqué.",
    "insufficient_scope": "Le jeton d'accès ne porte pas le scope openid.",
    "missing_authorization": "L'en-tête Authorization: Bearer <jeton d'accès> est obligatoire.",
    "unsupported_token_type": "Seuls les jetons Bearer sont acceptés (Authorization: Bearer).",
}
_DEFAULT = "La demande a été refusée par FranceConnect (simulation)."


def french_message(error: OAuth2Error) -> str:
    if isinstance(error, FrenchOAuth2Error):
        return error.message
    description = error.description or ""
    if description.startswith("Redirect URI"):
        return "Cette URL de retour (redirect_uri) n'est pas enregistrée pour ce client."
    return (
        _AUTHLIB_DESCRIPTIONS.get(description) or _BY_ERROR_CODE.get(error.error or "") or _DEFAULT
    )


def translate(error: OAuth2Error) -> OAuth2Error:
    """Put the French message, folded to ASCII, in the error's description."""
    error.description = ascii_fold(french_message(error))
    return error


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    folded = decomposed.encode("ascii", "ignore").decode("ascii")
    # '"' and '\' are outside the characters RFC 6749 allows in a description.
    return folded.replace('"', "'").replace("\\", "/")
