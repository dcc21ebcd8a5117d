"""Links from a resource of the programme to the resources that hang from it.

The subsidy depends on the programme, never the reverse: it registers, at start-up, the links it
adds to a match or a post (their subsidies, their tranches), so that an integrator follows a
match to its money without the programme importing the subsidy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request

# (the kind of resource: "match" or "post", the object, the request) → name → absolute URL.
LinkProvider = Callable[[str, Any, Request], dict[str, str]]

_providers: list[LinkProvider] = []


def register(provider: LinkProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def links_of(kind: str, obj: Any, request: Request) -> dict[str, str]:
    found: dict[str, str] = {}
    for provider in _providers:
        found.update(provider(kind, obj, request))
    return found


def link_schema(**described: str) -> dict:
    """The OpenAPI shape of a `links` object: each name an absolute URL, absent when the
    resource does not exist (a match never recruited has no post)."""
    return {
        "type": "object",
        "description": "Liens (URL absolues de l'API) vers les ressources liées.",
        "properties": {
            name: {"type": "string", "format": "uri", "description": text}
            for name, text in described.items()
        },
        "additionalProperties": {"type": "string", "format": "uri"},
    }
