"""REST API of the contract extensions, under /api/conseillers/prolongations/: the same services
and abilities as the pages.

A manager asks (`POST` with the match and the new end date), may cancel while pending; ANCT
validates or refuses with a motive. Reads are scoped by `ContractExtension.objects.visible_to`.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from conseillers.api.serializers import ABILITIES_SCHEMA, TransitionSerializer
from conseillers.api.views import CANNOT_ACT, errors, service_errors, valid_body
from conseillers.extensions import selectors, services
from conseillers.extensions.models import (
    ContractExtension,
    ExtensionState,
)
from conseillers.models import Match
from core.api import strict
from core.api.filters import DepartementFilter, FilterSet, IdFilter
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest


class ExtensionFilter(FilterSet):
    etat = django_filters.ChoiceFilter(
        field_name="state", choices=ExtensionState.choices, label="État de la demande"
    )
    mise_en_relation = IdFilter(
        field_name="contract__match_id", label="Identifiant de la mise en relation"
    )
    structure = IdFilter(
        field_name="contract__match__structure_id", label="Identifiant de la structure"
    )
    departement = DepartementFilter(
        field_name="contract__match__structure__departement_id", label="Code du département"
    )

    class Meta:
        model = ContractExtension
        fields: list[str] = []


class ExtensionSerializer(strict.ModelSerializer):
    mise_en_relation = serializers.IntegerField(
        source="contract.match_id", read_only=True, help_text="La mise en relation du contrat."
    )
    contract_type = serializers.CharField(source="contract.type", read_only=True)
    contract_end_date = serializers.DateField(
        source="contract.end_date",
        read_only=True,
        help_text="La date de fin du contrat aujourd'hui (la demandée, une fois validée).",
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur cette demande."
    )

    class Meta:
        model = ContractExtension
        fields = [
            "id",
            "mise_en_relation",
            "contract_type",
            "previous_end_date",
            "requested_end_date",
            "contract_end_date",
            "state",
            "state_label",
            "refusal_motive",
            "requested_at",
            "decided_at",
            "transitions",
            "abilities",
        ]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: ContractExtension) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


class ExtensionRequestSerializer(strict.Serializer):
    mise_en_relation = serializers.IntegerField(
        help_text="La mise en relation dont le contrat (CDD ou contrat de projet) est à prolonger."
    )
    requested_end_date = serializers.DateField(
        help_text="La nouvelle date de fin, après la date de fin actuelle."
    )


class RefusalSerializer(strict.Serializer):
    motive = serializers.CharField(
        max_length=2000, help_text="Motif du refus, lu par la structure."
    )


ACTION = {200: ExtensionSerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=["Conseillers numériques : prolongations de contrat"])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les demandes de prolongation",
        description="ANCT : toutes ; préfecture : son territoire ; gestionnaire : ses "
        "structures ; conseiller : les siennes. Les demandes en attente d'abord.",
        responses={200: ExtensionSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Consulter une demande de prolongation",
        responses={200: ExtensionSerializer, **errors(401, 404)},
    ),
)
class ExtensionViewSet(viewsets.ReadOnlyModelViewSet):
    request: AuthenticatedRequest
    queryset = ContractExtension.objects.none()  # for the schema; get_queryset scopes each request
    serializer_class = ExtensionSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filterset_class = ExtensionFilter
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[ContractExtension]:
        return selectors.extensions_for(self.request.user).prefetch_related("transitions__by")

    def _read(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        summary="Demander une prolongation",
        description="Gestionnaire de la structure, sur un recrutement validé dont le contrat "
        "(CDD ou contrat de projet public) n'a pas encore pris fin ; une seule demande en "
        "attente par contrat. Un PEC se renouvelle par une nouvelle prescription, un CDI n'a "
        "pas de fin.",
        request=ExtensionRequestSerializer,
        responses={201: ExtensionSerializer, **errors(400, 401, 403, 404)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(ExtensionRequestSerializer, request)
        visible = Match.objects.visible_to(request.user)
        match = get_object_or_404(visible, pk=body["mise_en_relation"])
        with service_errors():
            extension = services.extension_request(
                match=match, requested_end_date=body["requested_end_date"], by=request.user
            )
        return self._read(extension.pk, status.HTTP_201_CREATED)

    def _act(self, call: Callable[[ContractExtension], ContractExtension]) -> Response:
        extension = self.get_object()
        with service_errors():
            call(extension)
        return self._read(extension.pk)

    @extend_schema(
        summary="Valider la prolongation",
        description="ANCT, sur une demande en attente : le contrat prend fin à la date demandée.",
        request=None,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(lambda e: services.extension_validate(extension=e, by=request.user))

    @extend_schema(
        summary="Refuser la prolongation",
        description="ANCT, sur une demande en attente, avec un motif : le contrat garde sa date "
        "de fin.",
        request=RefusalSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedRequest, pk: str) -> Response:
        extension = self.get_object()
        body = valid_body(RefusalSerializer, request)
        with service_errors():
            services.extension_refuse(extension=extension, by=request.user, **body)
        return self._read(extension.pk)

    @extend_schema(
        summary="Annuler la demande",
        description="Gestionnaire de la structure, tant que l'ANCT n'a pas décidé.",
        request=None,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(lambda e: services.extension_cancel(extension=e, by=request.user))


router = SimpleRouter()
router.register("prolongations", ExtensionViewSet, basename="prolongation")

urlpatterns = router.urls
