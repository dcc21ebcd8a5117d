"""Reads of the activity pages, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from conseillers.activity.models import Activity, Theme
from conseillers.models import OCCUPYING, Match
from core.models import User
from lieux.models import Lieu

# What a record needs for its abilities, its checks and its display.
MATCH_RELATED = ("candidat", "structure", "contract", "rupture")


def current_match(user: User) -> Match | None:
    """The recruitment the conseiller works under now (one at a time: recruiting a person makes
    their other applications unavailable)."""
    return (
        Match.objects.filter(candidat__user=user, state__in=OCCUPYING)
        .select_related(*MATCH_RELATED)
        .order_by("-state_changed_at")
        .first()
    )


def active_themes() -> list[Theme]:
    return list(Theme.objects.filter(active=True))


def activities_of(match: Match) -> QuerySet[Activity]:
    """A recruitment's records, newest first, with what the list shows (two queries)."""
    return (
        Activity.objects.filter(match=match)
        .select_related("match__candidat")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("order")))
        .order_by("-date", "-id")
    )


def last_activity(match: Match) -> Activity | None:
    """The conseiller's latest record: the defaults of the next one."""
    return activities_of(match).order_by("-created_at", "-id").first()


def activity_for_change(pk: int, user: User) -> Activity:
    """A record the person may see, with what its abilities read; 404 otherwise."""
    return (
        Activity.objects.visible_to(user)
        .select_related(*(f"match__{name}" for name in MATCH_RELATED))
        .get(pk=pk)
    )


def lieux_for(match: Match, *, keep: Activity | None = None) -> list[Lieu]:
    """The open places of the conseiller's structure, those where they work first; with the
    place of the record being edited even if it has closed since."""
    works_there = Exists(
        Lieu.conseillers.through.objects.filter(
            lieu_id=OuterRef("pk"), candidat_id=match.candidat_id
        )
    )
    wanted = Q(closed_on__isnull=True)
    if keep is not None and keep.lieu_id is not None:
        wanted |= Q(pk=keep.lieu_id)
    return list(
        Lieu.objects.filter(wanted, structure_id=match.structure_id)
        .select_related("commune")
        .order_by(works_there.desc(), "name", "pk")
    )
