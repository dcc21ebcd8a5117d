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


class CandidatureFilter(filters.FilterSet):
    etat = filters.ChoiceFilter(
        field_name="state", choices=CandidatureState.choices, label="État de la candidature"
    )
    departement = filters.CharFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )
    structure = filters.NumberFilter(field_name="structure_id", label="Identifiant de la structure")
    doublon = filters.BooleanFilter(
        method="filter_duplicate", label="Seulement les doublons possibles (SIRET déjà candidat)"
    )
    non_decidee = filters.BooleanFilter(
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


class EnvelopeFilter(filters.FilterSet):
    departement = filters.CharFilter(field_name="departement_id", label="Code du département")
    region = filters.CharFilter(field_name="departement__region_id", label="Code de la région")

    class Meta:
        model = Envelope
        fields = ["departement", "region"]


class MatchFilter(filters.FilterSet):
    etat = filters.ChoiceFilter(
        field_name="state", choices=MatchState.choices, label="État de la mise en relation"
    )
    structure = filters.NumberFilter(field_name="structure_id", label="Identifiant de la structure")
    departement = filters.CharFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )

    class Meta:
        model = Match
        fields = ["etat", "structure", "departement"]
