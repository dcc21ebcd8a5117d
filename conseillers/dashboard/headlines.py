"""Headline figures that other apps add to the territorial dashboard.

The programme never imports its subsidy (tests/test_architecture.py): the subsidy registers the
money figures it knows (`conseillers/subsidy/dashboard.py`) when Django starts, and the dashboard
shows whatever is registered after its own figures. Each provider reads figures aggregated ahead
of time; the refresh it registers beside it is run with the programme's own aggregation, in the
same transaction (`conseillers.dashboard.snapshot`), so that the page reads one moment.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

# Given the département codes of the person's scope (None: the whole country), (label, value)
# pairs, the values already written as people read them.
HeadlineProvider = Callable[[frozenset[str] | None], list[tuple[str, str]]]
# Aggregates the provider's figures again, stamped with the given time.
HeadlineRefresh = Callable[[datetime.datetime], None]

_providers: list[HeadlineProvider] = []
_refreshes: list[HeadlineRefresh] = []


def register(provider: HeadlineProvider, *, refresh: HeadlineRefresh | None = None) -> None:
    if provider not in _providers:
        _providers.append(provider)
    if refresh is not None and refresh not in _refreshes:
        _refreshes.append(refresh)


def contributed(codes: frozenset[str] | None) -> list[dict[str, str]]:
    return [
        {"label": label, "value": value}
        for provider in _providers
        for label, value in provider(codes)
    ]


def refresh_contributed(now: datetime.datetime) -> None:
    for refresh in _refreshes:
        refresh(now)
