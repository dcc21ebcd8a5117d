"""The activity figures aggregated ahead of the readers, per département and day or month.

A row sums the comptes rendus of one département over one day (`jour`) or one calendar month
(`mois`): counts, people reached, minutes, and the distributions (place kinds, autonomy, themes)
as JSON objects keyed by the stored value or the theme's code, so that a new theme or place kind
needs no migration. A national query over years reads a few thousand rows; a period that does
not start or end on a month boundary adds the day rows of its edges (`selectors`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import Departement


class Grain(models.TextChoices):
    DAY = "jour", "Jour"
    MONTH = "mois", "Mois"


class ActivityFigures(models.Model):
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, related_name="+", verbose_name="département"
    )
    grain = models.CharField("grain", max_length=4, choices=Grain.choices)
    period_start = models.DateField("début de la période")
    activities = models.PositiveIntegerField("accompagnements")
    individual = models.PositiveIntegerField("accompagnements individuels")
    collective = models.PositiveIntegerField("ateliers collectifs")
    people = models.PositiveIntegerField("personnes accompagnées")
    duration_minutes = models.PositiveBigIntegerField("durée (minutes)")
    redirected = models.PositiveIntegerField("réorientations")
    by_place = models.JSONField("par type de lieu", default=dict)
    by_autonomy = models.JSONField("par autonomie", default=dict)
    by_theme = models.JSONField("par thème", default=dict)

    class Meta:
        verbose_name = "chiffres d'activité agrégés"
        verbose_name_plural = "chiffres d'activité agrégés"
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period_start", "departement"], name="figures_once_per_cell"
            ),
            # A month row starts on the first of its month.
            models.CheckConstraint(
                name="figures_month_starts_on_first",
                condition=~Q(grain="mois") | Q(period_start__day=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departement_id} {self.get_grain_display().lower()} {self.period_start}"


class FiguresRefresh(models.Model):
    """When the figures were last aggregated (one row): the pages say « Chiffres au … »."""

    refreshed_at = models.DateTimeField("agrégés le")
    full_at = models.DateTimeField("dernière reconstruction complète le")

    class Meta:
        verbose_name = "actualisation des chiffres d'activité"

    def __str__(self) -> str:
        return f"Chiffres d'activité au {self.refreshed_at:%d/%m/%Y %H:%M}"
