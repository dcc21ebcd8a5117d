"""Filters of the conseillers API; query parameters are named in French, as in the core API."""

from __future__ import annotations

from django.db.models import QuerySet

from conseillers.models import (
    UNDECIDED,
    Candidature,
    CandidatureState,
    Envelope,
    Match,
    MatchState,
    Post,
)
from core.api.filters import (
    BooleanFilter,
    DepartementFilter,
    FilterSet,
    IdFilter,
    RegionFilter,
    state_filter,
)


class CandidatureFilter(FilterSet):
    etat = state_filter(CandidatureState.choices, "État de la candidature")
    departement = DepartementFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )
    structure = IdFilter(field_name="structure_id", label="Identifiant de la structure")
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
    departement = DepartementFilter(field_name="departement_id", label="Code du département")
    region = RegionFilter(field_name="departement__region_id", label="Code de la région")

    class Meta:
        model = Envelope
        fields = ["departement", "region"]


class MatchFilter(FilterSet):
    etat = state_filter(MatchState.choices, "État de la mise en relation")
    structure = IdFilter(field_name="structure_id", label="Identifiant de la structure")
    departement = DepartementFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )

    candidat = IdFilter(field_name="candidat_id", label="Identifiant du candidat")
    poste = IdFilter(field_name="holding__post_id", label="Identifiant du poste occupé")

    class Meta:
        model = Match
        fields = ["etat", "structure", "departement", "candidat", "poste"]


class PostFilter(FilterSet):
    structure = IdFilter(field_name="structure_id", label="Identifiant de la structure")
    departement = DepartementFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )
    vacant = BooleanFilter(
        method="filter_vacant", label="Seulement les postes vacants (true) ou occupés (false)"
    )
    rendu = BooleanFilter(
        field_name="returned_on", lookup_expr="isnull", exclude=True, label="Postes rendus"
    )

    class Meta:
        model = Post
        fields = ["structure", "departement", "vacant", "rendu"]

    def filter_vacant(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(holder__isnull=value, returned_on__isnull=True)
