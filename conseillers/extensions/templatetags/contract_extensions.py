"""The extension panel of the match page: the programme's template includes it by name, so the
programme's views never import this app."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from conseillers.extensions import selectors
from conseillers.extensions.models import MatchExtensionAbilities
from conseillers.models import Match

register = template.Library()


@register.inclusion_tag("conseillers/extensions/_match_panel.html", takes_context=True)
def extension_panel(context: dict[str, Any], match: Match) -> dict[str, Any]:
    user = context["request"].user
    abilities = MatchExtensionAbilities(match, timezone.localdate()).get_abilities(user)
    return {
        "match": match,
        "extensions": selectors.extensions_of_match(match),
        "may_request": abilities["request_extension"],
    }
