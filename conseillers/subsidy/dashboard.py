"""The two budget figures the territorial dashboard leads with: money committed and money paid
net of recoveries, in cents. Registered as headline figures of the dashboard when the subsidy
app starts (apps.py), with their refresh: the programme's dashboard does not import the subsidy.

`money` aggregates the tables (three queries whatever the scope); the dashboard reads the
per-département rows `money_refresh` writes beside the programme's own figures."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum

from conseillers.subsidy.math import euros
from conseillers.subsidy.models import DepartementMoney, Payment, Recovery, Tranche, TrancheState
from core.models import Departement


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


def _by_departement(queryset: QuerySet, path: str) -> dict[str, int]:
    rows = (
        queryset.values(code=F(f"{path}__departement_id"))
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    return {row["code"]: row["total"] or 0 for row in rows}


def money_refresh(now: datetime.datetime) -> None:
    """The three sums again, per département, in three GROUP BY: run by the dashboard's refresh
    in its transaction."""
    sums: dict[str, dict[str, int]] = defaultdict(dict)
    live = Tranche.objects.exclude(state=TrancheState.CANCELLED)
    for name, queryset, path in (
        ("committed_cents", live, "subvention__structure"),
        ("paid_cents", Payment.objects.all(), "tranche__subvention__structure"),
        ("recovered_cents", Recovery.objects.all(), "structure"),
    ):
        for code, total in _by_departement(queryset, path).items():
            sums[code][name] = total
    DepartementMoney.objects.bulk_create(
        [
            DepartementMoney(departement_id=code, computed_at=now, **sums.get(code, {}))
            for code in Departement.objects.values_list("code", flat=True)
        ],
        update_conflicts=True,
        unique_fields=["departement"],
        update_fields=["committed_cents", "paid_cents", "recovered_cents", "computed_at"],
    )


def headline_figures(codes: frozenset[str] | None) -> list[tuple[str, str]]:
    """Read from the rows of the last refresh, like the rest of the dashboard."""
    rows = DepartementMoney.objects.all()
    if codes is not None:
        rows = rows.filter(departement_id__in=codes)
    totals = rows.aggregate(
        committed=Sum("committed_cents"), paid=Sum("paid_cents"), recovered=Sum("recovered_cents")
    )
    net_paid = (totals["paid"] or 0) - (totals["recovered"] or 0)
    return [
        ("Budget engagé", euros(totals["committed"] or 0)),
        ("Budget versé (net des reversements)", euros(net_paid)),
    ]
