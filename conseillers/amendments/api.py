"""REST API of the amendment requests, under /api/conseillers/avenants/.

The same services and abilities as the pages: reads are scoped by `visible_to` (out of scope:
404); each change is an action calling a service after `HasAbility` read the request's
`get_abilities` (the service reads it again under its row lock).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from conseillers.amendments import services
from conseillers.amendments.abilities import AMENDMENTS
from conseillers.amendments.models import (
    AmendmentKind,
    AmendmentOpinion,
    AmendmentRequest,
    AmendmentState,
    AmendmentTransition,
    GiveBackMotive,
)
from conseillers.api.serializers import (
    ABILITIES_SCHEMA,
    DecisionSerializer,
    ReasonSerializer,
    TransitionSerializer,
    person_name,
)
from conseillers.api.views import CANNOT_ACT, errors, service_errors, valid_body
from core.api import strict
from core.api.filters import DepartementFilter, FilterSet, IdFilter, state_filter
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest
from core.models import Structure

TAG = "Conseillers numériques : demandes d'avenant"


class AmendmentFilter(FilterSet):
    etat = state_filter(AmendmentState.choices, "État de la demande")
    departement = DepartementFilter(
        field_name="structure__departement_id", label="Code du département de la structure"
    )
    structure = IdFilter(field_name="structure_id", label="Identifiant de la structure")

    class Meta:
        model = AmendmentRequest
        fields = ["etat", "departement", "structure"]


class AmendmentOpinionSerializer(strict.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Agent de préfecture, auteur de l'avis.")

    class Meta:
        model = AmendmentOpinion
        fields = ["id", "verdict", "comment", "author", "created_at"]
        read_only_fields = fields

    def get_author(self, obj: AmendmentOpinion) -> str:
        return person_name(obj.author)


class AmendmentSerializer(strict.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    departement = serializers.CharField(source="structure.departement_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    motive_label = serializers.CharField(source="get_motive_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    posts_before = serializers.IntegerField(
        read_only=True, help_text="Postes accordés à la structure quand elle a demandé."
    )
    opinions = AmendmentOpinionSerializer(
        many=True, read_only=True, help_text="Avis de la préfecture, le plus récent d'abord."
    )
    decision = DecisionSerializer(
        read_only=True, allow_null=True, help_text="La décision du registre, une fois acceptée."
    )
    transitions = TransitionSerializer(many=True, read_only=True)
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur cette demande, action par action."
    )

    class Meta:
        model = AmendmentRequest
        fields = [
            "id",
            "structure",
            "structure_name",
            "departement",
            "kind",
            "kind_label",
            "posts",
            "motive",
            "motive_label",
            "justification",
            "posts_before",
            "state",
            "state_label",
            "refusal_motive",
            "decision",
            "opinions",
            "transitions",
            "created_at",
            "abilities",
        ]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: AmendmentRequest) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class ManagedStructureField(serializers.PrimaryKeyRelatedField):
    """A structure the person manages: the service refuses any other with its own message."""

    def get_queryset(self) -> QuerySet[Structure]:
        return Structure.objects.visible_to(self.context["request"].user)


class AmendmentSubmitSerializer(strict.Serializer):
    structure = ManagedStructureField(help_text="Identifiant de la structure.")
    kind = serializers.ChoiceField(
        choices=AmendmentKind.choices, help_text="ajout ou retrait (rendu de postes)."
    )
    posts = serializers.IntegerField(min_value=1, max_value=100, help_text="Nombre de postes.")
    motive = serializers.ChoiceField(
        choices=GiveBackMotive.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Motif du rendu : obligatoire pour un retrait.",
    )
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2500,
        help_text="Justification : obligatoire pour un ajout.",
    )


class AmendmentOpinionGiveSerializer(strict.ModelSerializer):
    class Meta:
        model = AmendmentOpinion
        fields = ["verdict", "comment"]


class AmendmentAcceptSerializer(strict.Serializer):
    number = serializers.CharField(max_length=50, help_text="Numéro de décision.")
    decided_on = serializers.DateField(help_text="Date de décision.")
    posts_granted = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        help_text="Pour un ajout, les postes accordés (au plus ceux demandés) ; par défaut, "
        "ceux demandés. Un retrait s'accepte tel que demandé.",
    )
    observations = serializers.CharField(required=False, allow_blank=True, default="")
    envelope_override = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Justification obligatoire pour accorder au-delà de l'enveloppe du département.",
    )


ACTION = {200: AmendmentSerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les demandes d'avenant",
        description="ANCT : toutes ; préfecture : celles de son territoire ; gestionnaire : "
        "celles de ses structures ; les plus récentes d'abord.",
        responses={200: AmendmentSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="Consulter une demande d'avenant",
        description="Hors de votre périmètre, la demande est introuvable (404).",
        responses={200: AmendmentSerializer, **errors(401, 404)},
    ),
)
class AmendmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Demandes d'avenant des structures : ajouter des postes ou en rendre.

    L'état ne s'écrit jamais : chaque changement est une action (avis, acceptation, refus,
    annulation), permise selon `abilities`.
    """

    request: AuthenticatedRequest
    queryset = AmendmentRequest.objects.none()
    serializer_class = AmendmentSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filterset_class = AmendmentFilter
    ordering_fields = ["created_at", "state_changed_at"]
    collection_abilities = AMENDMENTS
    collection_ability_map = {"list": "list", "create": "request_submit"}
    ability_map = {"opinion": "give_opinion"}
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[AmendmentRequest]:
        return (
            AmendmentRequest.objects.visible_to(self.request.user)
            .select_related("structure", "decision__author")
            .prefetch_related(
                Prefetch("opinions", queryset=AmendmentOpinion.objects.select_related("author")),
                Prefetch("transitions", queryset=AmendmentTransition.objects.select_related("by")),
            )
            .order_by("-created_at", "-pk")
        )

    def _read(self, pk: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(
        summary="Demander un avenant",
        description="Par un gestionnaire de la structure : ajouter des postes (justification "
        "obligatoire) ou rendre des postes que personne n'occupe (motif obligatoire). Une seule "
        "demande en attente par structure.",
        request=AmendmentSubmitSerializer,
        responses={201: AmendmentSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(AmendmentSubmitSerializer, request)
        with service_errors():
            amendment = services.amendment_request_submit(by=request.user, **body)
        return Response(self._read(amendment.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Donner ou modifier l'avis de la préfecture",
        description="Préfecture du territoire, tant que la demande est en attente ; chaque avis "
        "est une nouvelle ligne, le dernier est en vigueur. Commentaire de 10 à 1 000 caractères.",
        request=AmendmentOpinionGiveSerializer,
        responses={201: AmendmentOpinionSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def opinion(self, request: AuthenticatedRequest, pk: str) -> Response:
        amendment = self.get_object()
        body = valid_body(AmendmentOpinionGiveSerializer, request)
        with service_errors():
            opinion = services.amendment_opinion_give(amendment=amendment, by=request.user, **body)
        return Response(AmendmentOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accepter la demande",
        description="ANCT : une nouvelle décision au registre de la dernière candidature validée "
        "de la structure (ajout ou retrait), l'enveloppe du département vérifiée comme pour toute "
        "décision. Un retrait est refusé si les postes sont occupés entre-temps.",
        request=AmendmentAcceptSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str) -> Response:
        amendment = self.get_object()
        body = valid_body(AmendmentAcceptSerializer, request)
        with service_errors():
            services.amendment_request_accept(amendment=amendment, by=request.user, **body)
        return Response(self._read(amendment.pk))

    @extend_schema(
        summary="Refuser la demande",
        description="ANCT, tant que la demande est en attente ; motif obligatoire.",
        request=ReasonSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedRequest, pk: str) -> Response:
        amendment = self.get_object()
        body = valid_body(ReasonSerializer, request)
        with service_errors():
            services.amendment_request_refuse(
                amendment=amendment, reason=body["reason"], by=request.user
            )
        return Response(self._read(amendment.pk))

    @extend_schema(
        summary="Annuler la demande",
        description="Le gestionnaire de la structure, tant que la demande est en attente ; "
        "motif facultatif.",
        request=ReasonSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str) -> Response:
        amendment = self.get_object()
        body = valid_body(ReasonSerializer, request)
        with service_errors():
            services.amendment_request_cancel(
                amendment=amendment, reason=body["reason"], by=request.user
            )
        return Response(self._read(amendment.pk))


router = SimpleRouter()
router.register("avenants", AmendmentViewSet, basename="avenant")
urlpatterns = router.urls
