"""API token authentication: django-rest-knox tokens (`Authorization: Token <jeton>`), stored as
digests and expiring, with our French refusals and their description in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.request import Request


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            # knox words its refusals in English; ours says the same thing in French, whether
            # the token is unknown, expired, revoked or malformed.
            raise exceptions.AuthenticationFailed() from exc


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "En-tête `Authorization: Token <jeton>`. Le jeton s'obtient par "
                "`POST /api/jeton/` (adresse électronique, mot de passe, et code à usage unique "
                "pour les aidants et référents) ; il expire après quelques heures et se révoque "
                "depuis la page « Mon compte »."
            ),
        }
