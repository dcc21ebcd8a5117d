"""Filters of the conseillers API; query parameters are named in French, as in the core API."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from conseillers.models import (
    UNDECIDED,
    Candidature,
    CandidatureState,
    Envelope,
    Match,
    MatchState,
)
from core.api.filters import BooleanFilter, FilterSet


def state_filter(choices: list[tuple[str, str]], label: str) -> filters.ChoiceFilter:
    """A filter on the state whose refusal names the states that exist: an unknown one is an
    error (400), never a filter silently dropped."""
    allowed = ", ".join(value for value, _ in choices)
    return filters.ChoiceFilter(
        field_name="state",
        choices=choices,
        label=label,
        error_messages={
            "invalid_choice": f"« %(value)s » n'est pas un état connu. États possibles : {allowed}."
        },
    )


class CandidatureFilter(FilterSet):
    etat = state_filter(CandidatureState.choices, "État de la candidature")
    departement = filters.CharFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )
    structure = filters.NumberFilter(field_name="structure_id", label="Identifiant de la structure")
    doublon = BooleanFilter(
        method="filter_duplicate", label="Seulement les doublons possibles (SIRET déjà candidat)"
    )
    non_decidee = BooleanFilter(
        method="filter_undecided", label="Seulement les candidatures pas encore décidées"
    )

    class Meta:
        model = Candidature
        fields = ["etat", "departement", "structure", "doublon", "non_decidee"]

    def filter_duplicate(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(duplicate_of__isnull=not value)

    def filter_undecided(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value:
            return queryset.filter(state__in=UNDECIDED)
        return queryset.exclude(state__in=UNDECIDED)


class EnvelopeFilter(FilterSet):
    departement = filters.CharFilter(field_name="departement_id", label="Code du département")
    region = filters.CharFilter(field_name="departement__region_id", label="Code de la région")

    class Meta:
        model = Envelope
        fields = ["departement", "region"]


class MatchFilter(FilterSet):
    etat = state_filter(MatchState.choices, "État de la mise en relation")
    structure = filters.NumberFilter(field_name="structure_id", label="Identifiant de la structure")
    departement = filters.CharFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )

    class Meta:
        model = Match
        fields = ["etat", "structure", "departement"]
