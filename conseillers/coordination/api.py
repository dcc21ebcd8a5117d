"""REST API of the coordination: the same selectors, services and abilities as the pages.

Reads are scoped like the pages (a coordinator out of sight is not found: 404); attaching and
detaching are explicit actions that call `conseillers.coordination.services`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from conseillers.api.serializers import ABILITIES_SCHEMA
from conseillers.api.views import CANNOT_ACT, errors, service_errors, valid_body
from conseillers.models import Match
from core.api import strict
from core.api.filters import KnownQueryParameters
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest

from . import selectors, services
from .models import Coordination, CoordinatorGroup

TAG = "Conseillers numériques : coordination"


class CoordinationSerializer(strict.ModelSerializer):
    conseiller_name = serializers.CharField(source="conseiller.candidat.__str__", read_only=True)
    structure = serializers.IntegerField(source="conseiller.structure_id", read_only=True)
    structure_name = serializers.CharField(source="conseiller.structure.name", read_only=True)
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur ce rattachement."
    )

    class Meta:
        model = Coordination
        fields = ["id", "coordinator", "conseiller", "conseiller_name", "structure"]
        fields += ["structure_name", "attached_at", "detached_at", "detach_reason", "abilities"]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Coordination) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


class CoordinatorSerializer(strict.ModelSerializer):
    name = serializers.CharField(source="candidat.__str__", read_only=True)
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    departement = serializers.CharField(source="structure.departement_id", read_only=True)
    group_size = serializers.IntegerField(
        read_only=True, help_text="Conseillers coordonnés aujourd'hui."
    )
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur ce groupe."
    )

    class Meta:
        model = Match
        fields = ["id", "name", "structure", "structure_name", "departement", "group_size"]
        fields += ["abilities"]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Match) -> dict[str, bool]:
        return CoordinatorGroup(obj).get_abilities(self.context["request"].user)


class CoordinatorDetailSerializer(CoordinatorSerializer):
    group = serializers.SerializerMethodField(help_text="Les conseillers coordonnés aujourd'hui.")

    class Meta(CoordinatorSerializer.Meta):
        fields = [*CoordinatorSerializer.Meta.fields, "group"]
        read_only_fields = fields

    @extend_schema_field(CoordinationSerializer(many=True))
    def get_group(self, obj: Match) -> list[dict]:
        rows = selectors.group_of(obj)
        return list(CoordinationSerializer(rows, many=True, context=self.context).data)


class DetachSerializer(strict.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Motif du détachement, facultatif.",
    )


class AttachSerializer(strict.Serializer):
    conseiller = serializers.IntegerField(
        help_text="Identifiant de la mise en relation du conseiller à rattacher (en poste)."
    )


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les coordinateurs",
        description="Les conseillers en poste sur un poste de coordinateur que la personne peut "
        "voir (ANCT : tous ; préfecture : son territoire ; gestionnaire : ses structures ; "
        "conseiller : le sien), avec la taille de leur groupe.",
        responses={200: CoordinatorSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter le groupe d'un coordinateur",
        responses={200: CoordinatorDetailSerializer, **errors(401, 404)},
    ),
)
class CoordinatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Un coordinateur (sa mise en relation) et les conseillers qu'il coordonne."""

    request: AuthenticatedRequest
    queryset = Match.objects.none()
    serializer_class = CoordinatorSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [KnownQueryParameters]

    def get_queryset(self) -> QuerySet[Match]:
        return selectors.coordinators_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return CoordinatorSerializer
        return CoordinatorDetailSerializer

    @extend_schema(
        summary="Rattacher un conseiller",
        description="ANCT, ou préfecture pour un conseiller d'une structure de son territoire : "
        "un conseiller en poste sur un poste de conseiller, de la région du coordinateur, sans "
        "autre coordinateur.",
        request=AttachSerializer,
        responses={201: CoordinationSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rattachements")
    def attach(self, request: AuthenticatedRequest, pk: str) -> Response:
        coordinator = self.get_object()
        # The group's right first: a person who may not attach learns nothing of the conseiller.
        if not CoordinatorGroup(coordinator).get_abilities(request.user)["attach"]:
            raise exceptions.PermissionDenied(CANNOT_ACT)
        body = valid_body(AttachSerializer, request)
        conseiller = get_object_or_404(
            Match.objects.visible_to(request.user), pk=body["conseiller"]
        )
        with service_errors():
            row = services.coordination_attach(
                coordinator=coordinator, conseiller=conseiller, by=request.user
            )
        data = CoordinationSerializer(row, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
@extend_schema_view(
    retrieve=extend_schema(
        summary="Consulter un rattachement",
        responses={200: CoordinationSerializer, **errors(401, 404)},
    ),
)
class CoordinationViewSet(viewsets.GenericViewSet):
    """Le rattachement d'un conseiller à un coordinateur : détacher le clôt, sans l'effacer."""

    request: AuthenticatedRequest
    queryset = Coordination.objects.none()
    serializer_class = CoordinationSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    ability_map = {"detach": "detach"}
    ability_refusal = CANNOT_ACT
    filter_backends = [KnownQueryParameters]

    def get_queryset(self) -> QuerySet[Coordination]:
        visible = selectors.coordinators_visible_to(self.request.user).values("pk")
        return Coordination.objects.filter(coordinator__in=visible).select_related(
            "conseiller__candidat", "conseiller__structure"
        )

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        row = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(row).data)

    @extend_schema(
        summary="Détacher un conseiller",
        description="ANCT, ou préfecture pour un conseiller de son territoire : le rattachement "
        "est clos (date et auteur), jamais effacé.",
        request=DetachSerializer,
        responses={200: CoordinationSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="detacher")
    def detach(self, request: AuthenticatedRequest, pk: str) -> Response:
        row = self.get_object()
        body = valid_body(DetachSerializer, request)
        with service_errors():
            closed = services.coordination_detach(coordination=row, by=request.user, **body)
        return Response(self.get_serializer(closed).data)


router = SimpleRouter()
router.register("coordinateurs", CoordinatorViewSet, basename="coordinateur")
router.register("rattachements", CoordinationViewSet, basename="rattachement")

urlpatterns = router.urls
