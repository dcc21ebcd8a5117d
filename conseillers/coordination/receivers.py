"""The programme's signals the coordination follows: leaving a post ends a coordination."""

from __future__ import annotations

from typing import Any

from conseillers.models import Match
from core.models import User

from .services import coordinations_close_for


def close_coordinations(sender: type[Match], *, match: Match, by: User, **kwargs: Any) -> None:
    coordinations_close_for(match=match, by=by)
