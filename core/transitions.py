"""The one shape of every lifecycle's transition log (applications, matches, subsidies,
habilitation requests…): who fired which transition, when, from which state to which, and why.

A person acts through `by`; a beat task acts with `by` empty and `system` naming the task, so a
system actor is never confused with a person. Rows are append-only in the database itself (see
`core.append_only`): each concrete log's migration applies `AppendOnly`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TransitionLog(models.Model):
    """Subclasses add a foreign key to the object they log (`related_name="transitions"`) and may
    narrow `from_state` / `to_state` to their lifecycle's choices."""

    append_only_message: ClassVar[str] = "Le journal des changements d'état est en ajout seul"
    by_id: int | None

    transition = models.CharField("transition", max_length=50)
    from_state = models.CharField("depuis", max_length=30)
    to_state = models.CharField("vers", max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="par",
    )
    system = models.CharField("tâche du système", max_length=100, blank=True)
    reason = models.TextField("motif", blank=True)
    # A default, not auto_now_add: tests move the clock, and a system task may date its act.
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_one_actor",
                condition=(Q(by__isnull=False) & Q(system=""))
                | (Q(by__isnull=True) & ~Q(system="")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition} : {self.from_state} → {self.to_state}"

    @property
    def actor_label(self) -> str:
        """Who acted, as a person reads it."""
        return str(self.by) if self.by_id else f"Tâche automatique ({self.system})"
