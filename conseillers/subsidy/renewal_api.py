"""REST API of the renewal (reconventionnement), under /api/conseillers/reconventionnements/: one
resource per convention, keyed by the convention's id, with the same services and abilities as
the pages (`conseillers.subsidy.renewal`, `ConventionRenewal.get_abilities`)."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from conseillers.api.serializers import ABILITIES_SCHEMA, TransitionSerializer
from conseillers.api.views import CANNOT_ACT, errors, service_errors, valid_body
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.models import Convention
from conseillers.subsidy.renewal_models import ConventionRenewal, RenewalState
from core.api import strict
from core.api.filters import KnownQueryParameters
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest

TAG = "Conseillers numériques : reconventionnement"
RUNNING = ["en_cours", "suspendue"]


class RenewablePostSerializer(strict.Serializer):
    post = serializers.IntegerField(source="post_id", read_only=True, help_text="Poste.")
    holder_name = serializers.CharField(read_only=True, help_text="La personne en poste.")
    starts_on = serializers.DateField(
        source="ends_on", read_only=True, help_text="Début sous la nouvelle convention."
    )


class RenewedPostSerializer(strict.Serializer):
    post = serializers.IntegerField(source="post_id", read_only=True)
    match = serializers.IntegerField(
        source="match_id", read_only=True, help_text="Mise en relation du renouvellement."
    )
    match_state = serializers.CharField(source="match.state", read_only=True)
    previous_match = serializers.IntegerField(source="previous_match_id", read_only=True)
    starts_on = serializers.DateField(read_only=True)
    subvention = serializers.IntegerField(
        source="subvention_id", read_only=True, allow_null=True, help_text="Nouvel échéancier."
    )


class RenewalSerializer(strict.Serializer):
    convention = serializers.IntegerField(source="convention_id", read_only=True)
    convention_number = serializers.CharField(source="convention.number", read_only=True)
    structure = serializers.IntegerField(source="structure_id", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="État (code) : " + ", ".join(RenewalState.values) + "."
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    convention_ends_on = serializers.DateField(read_only=True, allow_null=True)
    window_opens_on = serializers.DateField(read_only=True, allow_null=True)
    renewable_posts = serializers.SerializerMethodField()
    posts = serializers.SerializerMethodField()
    new_convention = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    @extend_schema_field(RenewablePostSerializer(many=True))
    def get_renewable_posts(self, obj: ConventionRenewal) -> list[dict]:
        subventions = renewals.renewable_subventions(obj.convention)
        for subvention in subventions:
            subvention.holder_name = str(subvention.holder.candidat)  # type: ignore[attr-defined]
        return list(RenewablePostSerializer(subventions, many=True).data)

    @extend_schema_field(RenewedPostSerializer(many=True))
    def get_posts(self, obj: ConventionRenewal) -> list[dict]:
        if obj.pk is None:
            return []
        return list(RenewedPostSerializer(obj.posts.select_related("match"), many=True).data)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_new_convention(self, obj: ConventionRenewal) -> int | None:
        return (
            Convention.objects.filter(renews=obj.convention_id).values_list("pk", flat=True).first()
        )

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, obj: ConventionRenewal) -> list[dict]:
        if obj.pk is None:
            return []
        return list(TransitionSerializer(obj.transitions.select_related("by"), many=True).data)

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: ConventionRenewal) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


class InitiateSerializer(strict.Serializer):
    posts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Les postes à renouveler (identifiants)."
    )


class DeclineSerializer(strict.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=1000)


class RefuseSerializer(strict.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Motif transmis à la structure.")


class ValidateSerializer(strict.Serializer):
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=1000, help_text="Commentaire."
    )


def _renewal_of(convention: Convention) -> ConventionRenewal:
    try:
        return convention.renewal
    except ConventionRenewal.DoesNotExist:
        return ConventionRenewal(convention=convention, structure=convention.structure)


ACTION = {200: RenewalSerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les conventions et leur renouvellement",
        description="ANCT : toutes ; préfecture : son territoire ; gestionnaire : ses "
        "structures. Une convention sans réponse de la structure est « à décider ».",
        responses={200: RenewalSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter le renouvellement d'une convention",
        description="Par l'identifiant de la convention : état, période, postes renouvelables "
        "et demandés, historique et actions permises.",
        responses={200: RenewalSerializer, **errors(401, 404)},
    ),
)
class RenewalViewSet(viewsets.GenericViewSet):
    """Reconventionnement sous le régime 2023 : la structure choisit ses postes, l'ANCT décide."""

    request: AuthenticatedRequest

    queryset = Convention.objects.none()
    serializer_class = RenewalSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filter_backends = [KnownQueryParameters]
    ability_map = {
        "demander": "initiate",
        "ne_pas_renouveler": "decline",
        "valider": "validate",
        "refuser": "refuse",
    }
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[Convention]:
        return (
            Convention.objects.visible_to(self.request.user)
            .select_related("structure", "renewal")
            .annotate(end=Max("subventions__ends_on", filter=Q(subventions__state__in=RUNNING)))
            .order_by("pk")
        )

    def get_object(self) -> ConventionRenewal:
        convention = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        renewal = ConventionRenewal.of(convention)
        renewal.convention = convention
        self.check_object_permissions(self.request, renewal)
        return renewal

    def _read(self, convention_id: int) -> Response:
        renewal = ConventionRenewal.of(Convention.objects.get(pk=convention_id))
        return Response(RenewalSerializer(renewal, context={"request": self.request}).data)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [_renewal_of(convention) for convention in page or self.get_queryset()]
        data = RenewalSerializer(rows, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._read(self.get_object().convention_id)

    @extend_schema(
        summary="Demander le renouvellement de postes",
        description="Gestionnaire de la structure, pendant la période de renouvellement : les "
        "postes choisis (occupés, recrutement validé) ont chacun une mise en relation "
        "« renouvellement » pour la même personne.",
        request=InitiateSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def demander(self, request: AuthenticatedRequest, pk: str) -> Response:
        renewal = self.get_object()
        body = valid_body(InitiateSerializer, request)
        with service_errors():
            renewals.renewal_initiate(
                convention=renewal.convention, post_ids=body["posts"], by=request.user
            )
        return self._read(renewal.convention_id)

    @extend_schema(
        summary="Ne pas renouveler la convention",
        description="Gestionnaire, pendant la période : les postes prendront fin avec leur "
        "échéancier actuel puis seront rendus ; retire aussi une demande en cours.",
        request=DeclineSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"], url_path="ne-pas-renouveler")
    def ne_pas_renouveler(self, request: AuthenticatedRequest, pk: str) -> Response:
        renewal = self.get_object()
        body = valid_body(DeclineSerializer, request)
        with service_errors():
            renewals.renewal_decline(
                convention=renewal.convention, by=request.user, reason=body["reason"]
            )
        return self._read(renewal.convention_id)

    @extend_schema(
        summary="Valider le renouvellement",
        description="ANCT : ouvre la nouvelle convention (régime 2023), un échéancier par poste "
        "renouvelé et termine les anciennes mises en relation sans vacance, en une fois.",
        request=ValidateSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def valider(self, request: AuthenticatedRequest, pk: str) -> Response:
        renewal = self.get_object()
        body = valid_body(ValidateSerializer, request)
        with service_errors():
            renewals.renewal_validate(renewal=renewal, by=request.user, reason=body["reason"])
        return self._read(renewal.convention_id)

    @extend_schema(
        summary="Refuser le renouvellement",
        description="ANCT, avec un motif transmis à la structure.",
        request=RefuseSerializer,
        responses=ACTION,
    )
    @action(detail=True, methods=["post"])
    def refuser(self, request: AuthenticatedRequest, pk: str) -> Response:
        renewal = self.get_object()
        body = valid_body(RefuseSerializer, request)
        with service_errors():
            renewals.renewal_refuse(renewal=renewal, reason=body["reason"], by=request.user)
        return self._read(renewal.convention_id)
