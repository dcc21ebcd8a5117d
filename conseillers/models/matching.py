"""Proposals of candidates to structures, by distance (conseillers.matching).

A proposal records that a candidate is offered to a structure: since when, at what distance, by
which refresh. Each refresh adds the pairs the rule now offers and removes those it no longer
does. The list a gestionnaire reads is computed live (conseillers.matching); proposals say which
of its candidates are new since the last refresh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from conseillers.models.programme import Candidat
from core.models import Structure


class ProposalRun(models.Model):
    """One refresh of the proposals: every recruiting structure (the nightly task) or one (asked
    by its gestionnaire)."""

    started_at = models.DateTimeField("commencée le", default=timezone.now)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    structure = models.ForeignKey(
        Structure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="structure (actualisation à la demande)",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandée par",
    )
    new_proposals = models.PositiveIntegerField("nouvelles propositions", default=0)
    removed_proposals = models.PositiveIntegerField("propositions retirées", default=0)

    class Meta:
        verbose_name = "actualisation des propositions"
        verbose_name_plural = "actualisations des propositions"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return (
            f"{self.started_at:%d/%m/%Y %H:%M} : {self.new_proposals} nouvelles propositions, "
            f"{self.removed_proposals} retirées"
        )


class Proposal(models.Model):
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="proposals", verbose_name="structure"
    )
    candidat = models.ForeignKey(
        Candidat, on_delete=models.CASCADE, related_name="proposals", verbose_name="candidat"
    )
    # Null: proposed by the département rule (no maximum distance, or no position known).
    distance_km = models.FloatField("distance (km)", null=True, blank=True)
    run = models.ForeignKey(
        ProposalRun,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name="actualisation",
    )
    created_at = models.DateTimeField("proposé le", default=timezone.now)

    class Meta:
        verbose_name = "proposition de candidat"
        verbose_name_plural = "propositions de candidats"
        constraints = [
            models.UniqueConstraint(fields=["structure", "candidat"], name="proposal_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.candidat} → {self.structure}"


class RunStructureCount(models.Model):
    """How many proposals one refresh added to and removed from one structure (only structures
    with some)."""

    run = models.ForeignKey(
        ProposalRun, on_delete=models.CASCADE, related_name="counts", verbose_name="actualisation"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="+", verbose_name="structure"
    )
    new_proposals = models.PositiveIntegerField("nouvelles propositions", default=0)
    removed_proposals = models.PositiveIntegerField("propositions retirées", default=0)

    class Meta:
        verbose_name = "nouvelles propositions d'une structure"
        verbose_name_plural = "nouvelles propositions par structure"
        constraints = [
            models.UniqueConstraint(fields=["run", "structure"], name="run_structure_unique")
        ]
        indexes = [models.Index(fields=["structure", "run"], name="run_count_structure_idx")]

    def __str__(self) -> str:
        return f"{self.structure} : +{self.new_proposals} −{self.removed_proposals}"
