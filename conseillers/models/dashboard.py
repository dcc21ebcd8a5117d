"""The territorial dashboard's figures, aggregated ahead of the readers.

The dashboard used to aggregate the programme's tables at every request; it now reads these rows
(one per département), which `conseillers.dashboard.snapshot.dashboard_refresh` rewrites in one
transaction every few minutes (beat) and on the first reading after a deployment. The page says
when they were computed.
"""

from __future__ import annotations

import datetime

from django.db import models

from core.models import Departement


class DepartementFigures(models.Model):
    departement = models.OneToOneField(
        Departement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name="département",
    )
    envelope = models.PositiveIntegerField("enveloppe en vigueur", null=True)
    granted = models.PositiveIntegerField("postes accordés", default=0)
    granted_zrr = models.PositiveIntegerField("postes accordés en ZRR", default=0)
    granted_qpv = models.PositiveIntegerField("postes accordés en QPV", default=0)
    occupied = models.PositiveIntegerField("postes occupés", default=0)
    # Among granted and occupied: the coordinator posts, counted within, never added.
    coordinator_granted = models.PositiveIntegerField(
        "dont postes de coordinateur accordés", default=0
    )
    coordinator_occupied = models.PositiveIntegerField(
        "dont postes de coordinateur occupés", default=0
    )
    vacant = models.PositiveIntegerField("postes vacants", default=0)
    waiting = models.PositiveIntegerField("candidatures en attente", default=0)
    # Waits as of `computed_at`, like every other figure of the row.
    oldest_waiting_since = models.DateTimeField("plus ancienne candidature en attente", null=True)
    total_wait = models.DurationField("attente cumulée", default=datetime.timedelta(0))
    computed_at = models.DateTimeField("chiffres calculés le")

    class Meta:
        verbose_name = "chiffres d'un département (tableau de bord)"
        verbose_name_plural = "chiffres des départements (tableau de bord)"

    def __str__(self) -> str:
        return f"{self.departement_id} au {self.computed_at:%d/%m/%Y %H:%M}"
