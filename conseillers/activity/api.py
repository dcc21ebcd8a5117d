"""REST API of the activity reports, under /api/conseillers/activites/.

A conseiller records their own activity; a structure's tool records for its conseillers with a
manager's API token (`RecruitmentActivity`). `POST …/lot/` writes up to `BULK_MAX` records in one
request, all or none: a refused request answers every error, keyed by the index of the record
(`details.activities["3"]`, counted from 0). Reads are scoped by `Activity.objects.visible_to`;
changes and deletions read `Activity.get_abilities` (closed after the 10th of the next month).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from conseillers.activity import selectors, services
from conseillers.activity.abilities import NOT_RECORDING
from conseillers.activity.models import (
    AGE_FIELDS,
    STATUS_FIELDS,
    Activity,
    ActivityKind,
    Autonomy,
    Equipment,
    PlaceKind,
    Theme,
)
from conseillers.activity.services import BULK_MAX, FIELDS, EntriesInvalid, Entry
from conseillers.api.serializers import ABILITIES_SCHEMA
from conseillers.api.views import errors, service_errors
from conseillers.models import Match
from core.api import strict
from core.api.filters import (
    DepartementFilter,
    FilterSet,
    IdFilter,
    KnownQueryParameters,
    check_query_parameters,
)
from core.api.pagination import KeysetPagination
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest
from core.models import User
from lieux.models import Lieu

NO_MATCH = "Indiquez le recrutement (match) : vous enregistrez pour plusieurs conseillers."
UNKNOWN_MATCH = "Ce recrutement n'existe pas, ou pas dans votre périmètre."
UNKNOWN_LIEU = "Ce lieu n'existe pas."


class ActivityFilter(FilterSet):
    """Query parameters in French, as in the rest of the API."""

    mise_en_relation = IdFilter(field_name="match_id", label="Identifiant du recrutement")
    structure = IdFilter(field_name="structure_id", label="Identifiant de la structure")
    departement = DepartementFilter(field_name="departement_id", label="Code du département")
    du = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="À partir du")
    au = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Jusqu'au (inclus)")

    class Meta:
        model = Activity
        fields: list[str] = []


class ActivitySerializer(strict.ModelSerializer):
    themes = serializers.SerializerMethodField(help_text="Codes des thèmes.")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    autonomy = serializers.CharField(
        read_only=True,
        help_text="accompagne, partiellement_autonome ou autonome ; vide pour un atelier.",
    )
    editable_until = serializers.DateField(read_only=True)
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur ce compte rendu."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "match",
            "structure",
            "departement",
            *FIELDS[:1],
            "kind_label",
            *FIELDS[1:],
            "themes",
            "created_at",
            "updated_at",
            "editable_until",
            "abilities",
        ]
        read_only_fields = fields

    def get_themes(self, obj: Activity) -> list[str]:
        return [theme.code for theme in obj.themes.all()]  # prefetched by the view

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Activity) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


def _count(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, default=0, help_text=label)


class ActivityWriteSerializer(strict.Serializer):
    """One record as sent: typed here, judged by the service (the same rules as the pages)."""

    match = serializers.IntegerField(
        required=False,
        help_text="Le recrutement du conseiller (mise en relation). Facultatif pour un conseiller,"
        " qui enregistre sous son recrutement en cours.",
    )
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    date = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1)
    place_kind = serializers.ChoiceField(choices=PlaceKind.choices, default=PlaceKind.PLACE)
    lieu = serializers.IntegerField(
        allow_null=True,
        default=None,
        help_text="Pour une activité dans l'un des lieux de la structure (lieu_activite) : son "
        "identifiant (/api/lieux/). Son nom et sa commune sont repris si place_label et "
        "commune_insee sont vides.",
    )
    place_label = serializers.CharField(max_length=200, allow_blank=True, default="")
    commune_insee = serializers.CharField(max_length=5, allow_blank=True, default="")
    themes = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Codes des thèmes (voir /themes/)."
    )
    autonomy = serializers.ChoiceField(choices=Autonomy.choices, allow_blank=True, default="")
    redirected = serializers.BooleanField(default=False)
    redirected_to = serializers.CharField(max_length=200, allow_blank=True, default="")
    equipment = serializers.ListField(
        child=serializers.ChoiceField(choices=Equipment.choices), default=list
    )
    participants = serializers.IntegerField(min_value=1, default=1)
    age_under_12 = _count(AGE_FIELDS["age_under_12"])
    age_12_18 = _count(AGE_FIELDS["age_12_18"])
    age_18_35 = _count(AGE_FIELDS["age_18_35"])
    age_35_60 = _count(AGE_FIELDS["age_35_60"])
    age_over_60 = _count(AGE_FIELDS["age_over_60"])
    status_in_school = _count(STATUS_FIELDS["status_in_school"])
    status_unemployed = _count(STATUS_FIELDS["status_unemployed"])
    status_employed = _count(STATUS_FIELDS["status_employed"])
    status_retired = _count(STATUS_FIELDS["status_retired"])
    status_unknown = _count(STATUS_FIELDS["status_unknown"])


class ActivityBatchSerializer(strict.Serializer):
    activities = ActivityWriteSerializer(many=True, help_text=f"De 1 à {BULK_MAX} comptes rendus.")

    def validate_activities(self, value: list) -> list:
        if not 1 <= len(value) <= BULK_MAX:
            raise serializers.ValidationError(f"Envoyez de 1 à {BULK_MAX} comptes rendus.")
        return value


class BatchResultSerializer(strict.Serializer):
    count = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class ThemeSerializer(strict.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "label", "group", "order", "active"]
        read_only_fields = fields


def _resolve(rows: Sequence[dict[str, Any]], user: User) -> tuple[list[Entry], dict[int, dict]]:
    """The entries of the rows, with their matches and themes read in two queries; the errors of
    the rows whose match or themes cannot be found, by row index."""
    match_ids = {row["match"] for row in rows if "match" in row}
    matches = {
        match.pk: match
        for match in Match.objects.visible_to(user)
        .filter(pk__in=match_ids)
        .select_related(*selectors.MATCH_RELATED)
    }
    current = selectors.current_match(user) if any("match" not in row for row in rows) else None
    codes = {code for row in rows for code in row["themes"]}
    themes = {theme.code: theme for theme in Theme.objects.filter(code__in=codes)}
    lieux = _lieux(rows)
    entries, problems = [], {}
    for index, row in enumerate(rows):
        fields = {name: row[name] for name in FIELDS}
        fields["lieu"] = lieux.get(row["lieu"])
        match = matches.get(row["match"]) if "match" in row else current
        row_errors = {}
        if match is None:
            row_errors["match"] = [UNKNOWN_MATCH if "match" in row else NO_MATCH]
        if row["lieu"] is not None and fields["lieu"] is None:
            row_errors["lieu"] = [UNKNOWN_LIEU]
        if unknown := [code for code in row["themes"] if code not in themes]:
            row_errors["themes"] = [f"Thème inconnu : {', '.join(unknown)}."]
        if row_errors:
            problems[index] = row_errors
            continue
        assert match is not None
        entries.append(Entry(match, fields, [themes[code] for code in row["themes"]]))
    return entries, problems


def _lieux(rows: Sequence[dict[str, Any]]) -> dict[int, Lieu]:
    """The places the rows name, in one query (whose they are is the service's check)."""
    ids = {row["lieu"] for row in rows if row["lieu"] is not None}
    return Lieu.objects.in_bulk(ids) if ids else {}


def _invalid(problems: dict[int, dict]) -> exceptions.ValidationError:
    """The errors of the records in error, keyed by their index in the request, as DRF words the
    type errors of a list."""
    return exceptions.ValidationError(
        {"activities": {str(index): problems[index] for index in sorted(problems)}}
    )


@extend_schema_view(
    list=extend_schema(
        summary="Comptes rendus d'activité visibles",
        responses={200: ActivitySerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Un compte rendu", responses={200: ActivitySerializer, **errors(401, 404)}
    ),
    destroy=extend_schema(
        summary="Supprimer un compte rendu (mois ouvert)",
        responses={204: None, **errors(401, 403, 404)},
    ),
)
class ActivityViewSet(mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    request: AuthenticatedRequest
    queryset = Activity.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = ActivitySerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    pagination_class = KeysetPagination
    filterset_class = ActivityFilter
    # The service reads "update" and "delete" again under its row lock and says why it refuses
    # (a locked month), which a bare permission check would not.
    ability_map = {"destroy": "view", "update": "view"}
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Activity]:
        activities = (
            Activity.objects.visible_to(self.request.user)
            .select_related(*(f"match__{name}" for name in selectors.MATCH_RELATED))
            .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("order")))
            .order_by("-date", "-id")
        )
        return activities

    def perform_destroy(self, instance: Activity) -> None:
        with service_errors():
            services.activity_delete(activity=instance, by=self.request.user)

    @extend_schema(
        summary="Enregistrer un compte rendu",
        request=ActivityWriteSerializer,
        responses={201: ActivitySerializer, **errors(400, 401, 403)},
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        body = ActivityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = self._record([dict(body.validated_data)], single=True)
        return Response(self._read(ids[0]), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=f"Enregistrer jusqu'à {BULK_MAX} comptes rendus, tous ou aucun",
        request=ActivityBatchSerializer,
        responses={201: BatchResultSerializer, **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="lot")
    def batch(self, request: Request) -> Response:
        body = ActivityBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = self._record([dict(row) for row in body.validated_data["activities"]])
        return Response({"count": len(ids), "ids": ids}, status=status.HTTP_201_CREATED)

    def _record(self, rows: list[dict[str, Any]], *, single: bool = False) -> list[int]:
        entries, problems = _resolve(rows, self.request.user)
        if problems:
            raise _flatten(problems) if single else _invalid(problems)
        try:
            written = services.activities_record(entries=entries, by=self.request.user)
        except EntriesInvalid as invalid:
            found: dict[int, dict[str, list[str]]] = {}
            for error in invalid.errors:
                name = "match" if error.field == "conseiller" else error.field or "non_field_errors"
                found.setdefault(error.row, {}).setdefault(name, []).append(error.message)
            if single and any("match" in row for row in found.values()):
                raise exceptions.PermissionDenied(NOT_RECORDING) from None
            raise (_flatten(found) if single else _invalid(found)) from None
        return [activity.pk for activity in written]

    def _read(self, pk: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(
        summary="Modifier un compte rendu (mois ouvert) : le compte rendu entier",
        request=ActivityWriteSerializer,
        responses={200: ActivitySerializer, **errors(400, 401, 403, 404)},
    )
    def update(self, request: Request, *args, **kwargs) -> Response:
        activity = self.get_object()
        body = ActivityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = dict(body.validated_data)
        themes = list(Theme.objects.filter(code__in=row["themes"]))
        if unknown := set(row["themes"]) - {theme.code for theme in themes}:
            raise exceptions.ValidationError(
                {"themes": [f"Thème inconnu : {', '.join(sorted(unknown))}."]}
            )
        fields = {name: row[name] for name in FIELDS}
        fields["lieu"] = _lieux([row]).get(row["lieu"])
        if row["lieu"] is not None and fields["lieu"] is None:
            raise exceptions.ValidationError({"lieu": [UNKNOWN_LIEU]})
        with service_errors():
            services.activity_update(
                activity=activity, by=self.request.user, themes=themes, **fields
            )
        return Response(self._read(activity.pk))

    @extend_schema(
        summary="La liste nationale des thèmes",
        responses={200: ThemeSerializer(many=True), **errors(401)},
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        filter_backends=[KnownQueryParameters],
    )
    def themes(self, request: Request) -> Response:
        check_query_parameters(request, ())
        return Response(ThemeSerializer(Theme.objects.all(), many=True).data)


def _flatten(problems: dict[int, dict]) -> exceptions.ValidationError:
    (row,) = problems.values()
    return exceptions.ValidationError(row)


router = SimpleRouter()
router.register("activites", ActivityViewSet, basename="activite")

urlpatterns = router.urls
