"""API of the places: public reading and the national open-data export; managers' writes."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.views.decorators.cache import cache_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conseillers.api.views import errors
from core.api import strict
from core.api.pagination import Pagination
from core.models import Commune, Role, Structure
from lieux import opendata
from lieux.models import DESCRIPTION_FIELDS, Lieu
from lieux.services import conseillers_of, lieu_remove, lieu_save, opendata_generation
from lieux.vocabulary import Accessibility, Public, Service

# Re-users download the export in pages; the same page is served from the cache this long.
OPENDATA_CACHE_SECONDS = 600


class LieuSerializer(strict.ModelSerializer):
    structure = serializers.PrimaryKeyRelatedField(queryset=Structure.objects.all())
    commune = serializers.PrimaryKeyRelatedField(queryset=Commune.objects.all())
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices))
    publics = serializers.ListField(
        child=serializers.ChoiceField(choices=Public.choices), required=False
    )
    accessibility = serializers.ListField(
        child=serializers.ChoiceField(choices=Accessibility.choices), required=False
    )
    programmes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Lieu
        fields = ["id", "structure", *DESCRIPTION_FIELDS, "programmes", "closed_on", "updated_at"]
        read_only_fields = ["id", "programmes", "closed_on", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        structure = attrs.get("structure") or getattr(self.instance, "structure", None)
        if self.instance is not None and structure != self.instance.structure:
            raise serializers.ValidationError(
                {"structure": ["Un lieu ne change pas de structure."]}
            )
        allowed = (
            set(conseillers_of(structure).values_list("pk", flat=True)) if structure else set()
        )
        if any(c.pk not in allowed for c in attrs.get("conseillers", [])):
            raise serializers.ValidationError(
                {"conseillers": ["Seuls les conseillers recrutés par la structure peuvent y être."]}
            )
        return attrs

    def _save(self, lieu: Lieu | None, data: dict[str, Any]) -> Lieu:
        structure = data.pop("structure", None) or (lieu.structure if lieu else None)
        assert structure is not None  # required on creation; a place keeps its structure
        conseillers = data.pop("conseillers", None)
        try:
            return lieu_save(
                structure=structure,
                lieu=lieu,
                conseillers=conseillers,
                by=self.context["request"].user,
                **data,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error

    def create(self, validated_data: dict[str, Any]) -> Lieu:
        return self._save(None, validated_data)

    def update(self, instance: Lieu, validated_data: dict[str, Any]) -> Lieu:
        return self._save(instance, validated_data)


@extend_schema(tags=["Lieux de médiation numérique"])
@extend_schema_view(
    destroy=extend_schema(
        summary="Retirer un lieu",
        description="Supprime le lieu (204), ou le ferme s'il est cité par des comptes rendus "
        "d'activité, qui le gardent (200, avec sa date de fermeture). Dans les deux cas il "
        "quitte la carte et les données ouvertes.",
        responses={200: LieuSerializer, 204: None, **errors(401, 403, 404)},
    )
)
class LieuViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Lieux publiés (lecture publique), et ceux des structures que l'on gère ; les gestionnaires
    et référents d'une structure déclarent, modifient et retirent ses lieux."""

    serializer_class = LieuSerializer
    permission_classes = [AllowAny]  # writes checked by the service, from the place's abilities
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lieu = self.get_object()
        if lieu.closed_on is not None:
            return Response(self.get_serializer(lieu).data)  # closed already: nothing to do
        if lieu_remove(lieu=lieu, by=request.user):  # type: ignore[arg-type] # anonymous: refused
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(lieu).data)

    def get_queryset(self) -> QuerySet[Lieu]:
        visible = Q(published=True, closed_on__isnull=True)
        user = self.request.user
        if user.is_authenticated:
            scope = user.scope
            if scope.is_anct:
                visible = Q()
            else:
                managed = scope.structure_ids(Role.GESTIONNAIRE) | scope.structure_ids(
                    Role.REFERENT
                )
                visible |= Q(structure_id__in=managed)
        return (
            Lieu.objects.filter(visible)
            .with_programmes()
            .prefetch_related("conseillers")
            .order_by("pk")
        )


class CsvRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if not isinstance(data, dict) or "results" not in data:
            return "" if data is None else str(data)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(opendata.columns())
        for row in data["results"]:
            writer.writerow(["" if row.get(c) is None else row[c] for c in opendata.columns()])
        return buffer.getvalue()


class OpenDataPagination(Pagination):
    page_size = 100


class OpenDataView(APIView):
    """Les lieux publiés, au schéma national des lieux de médiation numérique (ANCT)."""

    # For the schema only: the records are dicts of the national schema (lieux.opendata).
    serializer_class = None

    permission_classes = [AllowAny]
    authentication_classes: list = []  # the same public answer for everyone: cacheable
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        # An error is explained in JSON, as everywhere in the API, even to a CSV request.
        response = super().handle_exception(exc)
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return response

    @extend_schema(
        tags=["Lieux de médiation numérique"],
        summary="Données ouvertes des lieux (schéma national)",
        description="Lieux publiés au format du schéma de données des lieux de médiation "
        "numérique (ANCT), par pages ; `format=csv` pour le CSV. Mis en cache "
        f"{OPENDATA_CACHE_SECONDS // 60} minutes ; un lieu modifié, fermé ou supprimé en sort "
        "aussitôt.",
        parameters=[
            OpenApiParameter("page", int, description="Page, à partir de 1."),
            OpenApiParameter(
                "taille", int, description="Lieux par page (1 à 500, 100 par défaut)."
            ),
            OpenApiParameter("format", str, enum=["json", "csv"], description="json ou csv."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="count, next, previous, results (lieux)"
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Une ligne par lieu, les colonnes du schéma."
            ),
            **errors(400, 404),
        },
    )
    def get(self, request: Request) -> Response:
        # Cached per page and format; a place saved or removed starts a new generation of keys.
        cached = cache_page(OPENDATA_CACHE_SECONDS, key_prefix=opendata_generation())
        return cached(self._page)(request)

    def _page(self, request: Request) -> Response:
        if request.query_params.get("format", "json") not in ("json", "csv"):
            raise ValidationError({"format": ["Indiquez json ou csv."]})
        paginator = OpenDataPagination()
        lieux = Lieu.objects.public().with_programmes().order_by("pk")
        page = paginator.paginate_queryset(lieux, request, view=self)
        return paginator.get_paginated_response([opendata.record(lieu) for lieu in page or []])
