"""The two budget figures the territorial dashboard leads with: money committed and money paid
net of recoveries, in cents. Registered as headline figures of the dashboard when the subsidy
app starts (apps.py): the programme's dashboard does not import the subsidy."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from conseillers.subsidy.math import euros
from conseillers.subsidy.models import Payment, Recovery, Tranche, TrancheState


@dataclass(frozen=True, slots=True)
class Money:
    # Tranches of the schedules in force (not cancelled), and payments net of recoveries.
    committed_cents: int
    net_paid_cents: int


def _total(queryset: QuerySet, path: str, codes: frozenset[str] | None) -> int:
    if codes is not None:
        queryset = queryset.filter(**{f"{path}__departement_id__in": codes})
    return queryset.aggregate(total=Sum("amount_cents"))["total"] or 0


def money(codes: frozenset[str] | None) -> Money:
    """Three aggregates over the scope, whatever its size (the budget page has the detail)."""
    live = Tranche.objects.exclude(state=TrancheState.CANCELLED)
    paid = _total(Payment.objects.all(), "tranche__subvention__structure", codes)
    recovered = _total(Recovery.objects.all(), "structure", codes)
    return Money(
        committed_cents=_total(live, "subvention__structure", codes),
        net_paid_cents=paid - recovered,
    )


def headline_figures(codes: frozenset[str] | None) -> list[tuple[str, str]]:
    budget = money(codes)
    return [
        ("Budget engagé", euros(budget.committed_cents)),
        ("Budget versé (net des reversements)", euros(budget.net_paid_cents)),
    ]
