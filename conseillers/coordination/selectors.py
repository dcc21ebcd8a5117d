"""Reads of the coordination, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from conseillers.models import Match, Post, PostKind
from core.models import User

from .models import Coordination


def _on_post_of_kind(kind: PostKind) -> Exists:
    return Exists(Post.objects.filter(holder=OuterRef("pk"), kind=kind))


def coordinators_visible_to(user: User) -> QuerySet[Match]:
    """Coordinators in post the person may see, with the size of their current group."""
    return (
        Match.objects.visible_to(user)
        .occupying()
        .filter(_on_post_of_kind(PostKind.COORDINATOR))
        .select_related("candidat", "structure__departement")
        .annotate(group_size=Count("coordinated", filter=Q(coordinated__detached_at__isnull=True)))
        .order_by("structure__departement_id", "candidat__last_name", "pk")
    )


def group_of(coordinator: Match) -> QuerySet[Coordination]:
    """The conseillers the coordinator leads now, by structure then name."""
    return (
        Coordination.objects.current()
        .filter(coordinator=coordinator)
        .select_related("conseiller__candidat", "conseiller__structure", "attached_by")
        .order_by("conseiller__structure__name", "conseiller__candidat__last_name", "pk")
    )


def attachable_to(coordinator: Match, user: User) -> QuerySet[Match]:
    """Conseillers in post on a conseiller post, in the coordinator's région, without a
    coordinator, that the person may manage (ANCT: all; a préfecture: its territory)."""
    region = coordinator.structure.departement.region_id
    candidates = (
        Match.objects.occupying()
        .filter(_on_post_of_kind(PostKind.CONSEILLER), structure__departement__region_id=region)
        .exclude(Exists(Coordination.objects.current().filter(conseiller=OuterRef("pk"))))
        .exclude(pk=coordinator.pk)
        .select_related("candidat", "structure")
        .order_by("structure__name", "candidat__last_name", "pk")
    )
    scope = user.scope
    if scope.is_anct:
        return candidates
    return candidates.filter(structure__departement_id__in=scope.departement_codes)


def coordinator_of(user: User) -> Match | None:
    """The person's own coordinator post, when they hold one."""
    return (
        coordinators_visible_to(user).filter(candidat__user=user).first()
        if user.is_authenticated
        else None
    )
