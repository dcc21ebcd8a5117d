"""The subsidy's answers to the programme's facts (`conseillers.signals`).

Connected in `SubsidyConfig.ready()`. Each runs inside the programme service's transaction, with
the match locked: if it fails, the programme's write rolls back with it.
"""

from __future__ import annotations

from typing import Any

from conseillers.models import Match
from conseillers.subsidy import services
from core.models import User


def open_schedule(sender: type[Match], *, match: Match, by: User, **kwargs: Any) -> None:
    """A recruitment is validated: the post's schedule starts, or continues with this holder."""
    services.subvention_open(match=match, by=by)


def suspend_schedule(sender: type[Match], *, match: Match, by: User, **kwargs: Any) -> None:
    """A rupture is validated, or the contract ended: the clock of the post the match held
    stops."""
    services.subvention_suspend(match=match, by=by)
