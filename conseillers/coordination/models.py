"""Coordination: a conseiller holding a coordinator post leads conseillers of their région.

A coordinator is a match holding a post of kind `coordinateur`; each coordinated conseiller is a
match holding a post of kind `conseiller`, in the same structure or another one of the région.
ANCT or the préfecture attaches and detaches them; detaching closes the row, never deletes it,
so the history of a group stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

from conseillers.models import Match
from core.models import Role, User


class CoordinationQuerySet(models.QuerySet["Coordination"]):
    def current(self) -> CoordinationQuerySet:
        return self.filter(detached_at__isnull=True)


class Coordination(models.Model):
    coordinator = models.ForeignKey(
        Match,
        on_delete=models.PROTECT,
        related_name="coordinated",
        verbose_name="coordinateur (mise en relation)",
    )
    conseiller = models.ForeignKey(
        Match,
        on_delete=models.PROTECT,
        related_name="coordinations",
        verbose_name="conseiller coordonné (mise en relation)",
    )
    attached_at = models.DateTimeField("rattaché le", auto_now_add=True)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    detached_at = models.DateTimeField("détaché le", null=True, blank=True)
    detached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="détaché par",
    )

    detach_reason = models.CharField("motif du détachement", max_length=500, blank=True)

    objects = CoordinationQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement à un coordinateur"
        verbose_name_plural = "rattachements à des coordinateurs"
        ordering = ["attached_at", "pk"]
        constraints = [
            # One coordinator at a time per conseiller: attaching elsewhere detaches first.
            models.UniqueConstraint(
                fields=["conseiller"],
                condition=Q(detached_at__isnull=True),
                name="coordination_one_current_per_conseiller",
            ),
            models.CheckConstraint(
                name="coordination_not_self", condition=~Q(coordinator=models.F("conseiller"))
            ),
            models.CheckConstraint(
                name="coordination_detached_by_whom",
                condition=Q(detached_at__isnull=True, detached_by__isnull=True)
                | Q(detached_at__isnull=False, detached_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conseiller_id} coordonné par {self.coordinator_id}"

    def get_abilities(self, user: User) -> dict[str, bool]:
        """Detaching is for whoever may manage the coordinated conseiller (see CoordinatorGroup)."""
        current = self.detached_at is None
        return {"detach": current and can_manage_conseiller(user, self.conseiller)}


def can_manage_conseiller(user: User, conseiller: Match) -> bool:
    """ANCT anywhere; a préfecture only for a conseiller of a structure of its territory."""
    scope = user.scope
    return scope.is_anct or conseiller.structure.departement_id in scope.departement_codes


@dataclass(frozen=True)
class CoordinatorGroup:
    """The rights on one coordinator's group: no single row carries them, the coordinator's match
    names the group."""

    coordinator: Match

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        match = self.coordinator
        in_territory = match.structure.departement_id in scope.departement_codes
        own = match.candidat.user_id is not None and match.candidat.user_id == user.pk
        manager = scope.has_structure_role(match.structure_id, Role.GESTIONNAIRE)
        return {
            "view": scope.is_anct or in_territory or own or manager,
            # Whom: each conseiller is checked again with can_manage_conseiller.
            "attach": scope.is_anct or in_territory,
        }
