"""A tranche justified by the activity of its post: the figures of the comptes rendus over the
period the tranche pays for, per conseiller who held the post (`PostHolding`), pre-filled as the
structure's activity report (page and PDF) and shown to ANCT beside the justification.

The period of a tranche runs from the due date of the previous tranche that asked for a
justification (or the start of the subsidised service) to the day before its own due date; while
the tranche is not yet due, to today. A post whose holders recorded nothing over the period is
flagged to ANCT (`with_activity_flag`): the figures justify the tranche, their absence is the
question to ask.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from conseillers.activity.models import Activity
from conseillers.activity.stats.access import Kind, Perimeter
from conseillers.activity.stats.selectors import Figures, Period, Stats, activity_stats
from conseillers.models import PostHolding
from conseillers.subsidy.models import JustificationKind, Tranche
from mandats.pdf import render_pdf

REPORT_TEMPLATE = "conseillers/subsidy/activity_report_pdf.html"


@dataclass
class HolderActivity:
    name: str
    period: Period
    stats: Stats


@dataclass
class TrancheActivity:
    tranche: Tranche
    period: Period
    holders: list[HolderActivity]
    total: Figures
    generated_on: datetime.date

    @property
    def no_activity(self) -> bool:
        return self.total.activities == 0

    @property
    def hours(self) -> float:
        return self.total.duration_minutes / 60


def justification_period(tranche: Tranche, today: datetime.date) -> Period | None:
    """None when the period has not started (a tranche of a future service)."""
    previous = (
        Tranche.objects.filter(subvention_id=tranche.subvention_id, rank__lt=tranche.rank)
        .exclude(justification=JustificationKind.NONE)
        .order_by("-rank")
        .values_list("due_on", flat=True)
        .first()
    )
    start = previous or tranche.subvention.started_on
    end = min(tranche.due_on - datetime.timedelta(days=1), today)
    return Period(start, end) if start <= end else None


def tranche_activity(
    tranche: Tranche, today: datetime.date | None = None
) -> TrancheActivity | None:
    """The figures of each holder of the post over the tranche's period; None for a tranche that
    asks no justification or whose period has not started."""
    today = today or timezone.localdate()
    period = justification_period(tranche, today) if tranche.needs_justification else None
    if period is None:
        return None
    holdings = (
        PostHolding.objects.filter(post_id=tranche.subvention.post_id, started_on__lte=period.end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .select_related("match__candidat")
        .order_by("started_on", "pk")
    )
    holders, total = [], Figures()
    for holding in holdings:
        end = min(period.end, holding.ended_on or period.end)
        own = Period(max(period.start, holding.started_on), end)
        name = str(holding.match.candidat)
        perimeter = Perimeter(
            Kind.CONSEILLER, f"conseiller-{holding.match_id}", name, match_id=holding.match_id
        )
        stats = activity_stats(perimeter, own)
        holders.append(HolderActivity(name, own, stats))
        _add(total, stats.total)
    return TrancheActivity(tranche, period, holders, total, today)


def _add(total: Figures, figures: Figures) -> None:
    for name in (
        "activities",
        "individual",
        "collective",
        "people",
        "duration_minutes",
        "redirected",
    ):
        setattr(total, name, getattr(total, name) + getattr(figures, name))
    total.by_theme.update(figures.by_theme)
    total.by_place.update(figures.by_place)
    total.by_autonomy.update(figures.by_autonomy)


def activity_report_pdf(activity: TrancheActivity) -> ContentFile:
    """The pre-filled activity report, as the PDF the structure submits (tagged PDF/UA)."""
    content = render_pdf(REPORT_TEMPLATE, {"activity": activity, "tranche": activity.tranche})
    return ContentFile(content, name=f"rapport-activite-{activity.tranche.order_reference}.pdf")


def with_activity_flag(tranches: QuerySet[Tranche]) -> QuerySet[Tranche]:
    """Annotates `has_activity`: whether the holders of the post recorded anything over the
    tranche's period (one EXISTS per row, on the activity's (match, date) index)."""
    previous = (
        Tranche.objects.filter(subvention=OuterRef("subvention"), rank__lt=OuterRef("rank"))
        .exclude(justification=JustificationKind.NONE)
        .order_by("-rank")
        .values("due_on")[:1]
    )
    recorded = Activity.objects.filter(
        match__holding__post=OuterRef("subvention__post"),
        date__gte=OuterRef("activity_from"),
        date__lt=OuterRef("due_on"),
    )
    return tranches.annotate(
        activity_from=Coalesce(Subquery(previous), F("subvention__started_on"))
    ).annotate(has_activity=Exists(recorded))
