"""Headline figures that other apps add to the territorial dashboard.

The programme never imports its subsidy (tests/test_architecture.py): the subsidy registers the
money figures it knows (`conseillers/subsidy/dashboard.py`) when Django starts, and the dashboard
shows whatever is registered after its own figures.
"""

from __future__ import annotations

from collections.abc import Callable

# Given the département codes of the person's scope (None: the whole country), (label, value)
# pairs, the values already written as people read them.
HeadlineProvider = Callable[[frozenset[str] | None], list[tuple[str, str]]]

_providers: list[HeadlineProvider] = []


def register(provider: HeadlineProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def contributed(codes: frozenset[str] | None) -> list[dict[str, str]]:
    return [
        {"label": label, "value": value}
        for provider in _providers
        for label, value in provider(codes)
    ]
