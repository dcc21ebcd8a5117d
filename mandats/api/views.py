"""REST API of Aidants Connect: the référent runs the team with the same abilities and services
as the team page (`mandats.abilities.OrganisationAbilities["manage_aidants"]`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from core.http import AuthenticatedRequest
from core.models import Membership, Structure, User
from mandats import cards, organisations, otp, selectors, services
from mandats.abilities import (
    PROGRAMME,
    OrganisationAbilities,
    organisation_request_abilities,
)
from mandats.api.serializers import (
    CarteAssociationSerializer,
    CarteLoadedSerializer,
    CarteLoadSerializer,
    CarteSerializer,
    OrganisationRequestSerializer,
    RequestMessageSerializer,
    TeamMemberSerializer,
)
from mandats.models import CarteTOTP, OrganisationRequest
from mandats.request_limits import Limited

ORGANISATION = OpenApiParameter(
    "organisation_id", int, OpenApiParameter.PATH, description="Identifiant de l'organisation."
)
AIDANT = OpenApiParameter(
    "aidant_id", int, OpenApiParameter.PATH, description="Identifiant du compte de l'aidant."
)


@contextmanager
def service_errors() -> Iterator[None]:
    """The service's French refusal, in the API's error body."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except Limited as exc:
        raise exceptions.Throttled(wait=exc.retry_after, detail=exc.messages[0]) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"non_field_errors": exc.messages}) from exc


class SecondFactorPassed(permissions.BasePermission):
    """A token was given only with a TOTP code (core.second_factor); a session must have passed
    the second factor like the pages ask, or a password alone would open the référent's API."""

    message = (
        "Saisissez d'abord votre code à usage unique dans Aidants Connect, ou utilisez un jeton."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.auth is not None or otp.is_verified(request._request)


@extend_schema(tags=["Aidants Connect : équipe du référent"], parameters=[ORGANISATION])
class TeamViewSet(viewsets.GenericViewSet):
    """The aidants of one organisation habilitée, for its référent."""

    serializer_class = TeamMemberSerializer
    permission_classes = [permissions.IsAuthenticated, SecondFactorPassed]
    pagination_class = None
    lookup_field = "user_id"
    lookup_url_kwarg = "aidant_id"
    lookup_value_regex = "[0-9]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Refused before any lookup: the answer tells nobody which organisations exist.
        organisation_id = int(self.kwargs["organisation_id"])
        if not OrganisationAbilities(organisation_id).get_abilities(request.user)["manage_aidants"]:
            raise exceptions.PermissionDenied(
                "Seul le référent de l'organisation gère ses aidants."
            )
        self.organisation = get_object_or_404(
            Structure, pk=organisation_id, habilitation__isnull=False
        )

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no request
            return Membership.objects.none()
        return selectors.organisation_aidants(self.organisation)

    def _read(self, aidant_id: int) -> Response:
        membership = get_object_or_404(self.get_queryset(), user_id=aidant_id)
        return Response(self.get_serializer(membership).data)

    def _act(self, request: AuthenticatedRequest, service: Callable[..., object]) -> Response:
        membership = self.get_object()
        with service_errors():
            service(aidant=membership.user, organisation=self.organisation, by=request.user)
        return self._read(membership.user_id)

    @extend_schema(summary="Aidants de l'organisation, avec leur dernière activité")
    def list(self, request: AuthenticatedRequest, organisation_id: str) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @extend_schema(summary="Un aidant de l'organisation", parameters=[AIDANT])
    def retrieve(
        self, request: AuthenticatedRequest, organisation_id: str, aidant_id: str
    ) -> Response:
        return self._read(int(aidant_id))

    @extend_schema(
        summary="Désactiver le compte de l'aidant",
        description="Le compte ne se connecte plus (mot de passe, code, jeton) et n'agit plus "
        "sous aucun mandat ; les mandats restent ceux de l'organisation. Refusé pour un aidant "
        "qui travaille aussi pour une autre structure (le retirer plutôt).",
        request=None,
        parameters=[AIDANT],
    )
    @action(detail=True, methods=["post"], url_path="desactiver")
    def deactivate(
        self, request: AuthenticatedRequest, organisation_id: str, aidant_id: str
    ) -> Response:
        return self._act(request, services.aidant_deactivate)

    @extend_schema(summary="Réactiver le compte de l'aidant", request=None, parameters=[AIDANT])
    @action(detail=True, methods=["post"], url_path="reactiver")
    def reactivate(
        self, request: AuthenticatedRequest, organisation_id: str, aidant_id: str
    ) -> Response:
        return self._act(request, services.aidant_reactivate)

    @extend_schema(
        summary="Associer une carte TOTP à l'aidant",
        description="Le référent, la carte en main, donne son numéro de série et le code "
        "qu'elle affiche maintenant (une période de 30 s d'écart tolérée de part et d'autre).",
        request=CarteAssociationSerializer,
        responses={200: CarteSerializer},
        parameters=[AIDANT],
    )
    @action(detail=True, methods=["post"], url_path="carte")
    def associate_card(
        self, request: AuthenticatedRequest, organisation_id: str, aidant_id: str
    ) -> Response:
        membership = self.get_object()
        body = CarteAssociationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            carte = cards.carte_associate(
                aidant=membership.user,
                organisation=self.organisation,
                by=request.user,
                **body.validated_data,
            )
        return Response(CarteSerializer(carte).data)

    @extend_schema(
        summary="Retirer l'aidant de l'organisation",
        description="Pour un aidant qui travaille aussi pour une autre structure : son rôle "
        "d'aidant dans cette organisation prend fin, son compte reste actif.",
        request=None,
        responses={204: None},
        parameters=[AIDANT],
    )
    @action(detail=True, methods=["post"], url_path="retirer")
    def remove(
        self, request: AuthenticatedRequest, organisation_id: str, aidant_id: str
    ) -> Response:
        membership = self.get_object()
        with service_errors():
            services.aidant_remove_from_organisation(
                aidant=membership.user, organisation=self.organisation, by=request.user
            )
        return Response(status=204)


@extend_schema(tags=["Aidants Connect : cartes TOTP"])
class CarteViewSet(viewsets.GenericViewSet):
    """The ANCT sees and loads the stock; a référent sees the cards of their organisations."""

    serializer_class = CarteSerializer
    permission_classes = [permissions.IsAuthenticated, SecondFactorPassed]

    def get_queryset(self) -> QuerySet[CarteTOTP]:
        user = self.request.user
        cartes = CarteTOTP.objects.order_by("serial_number", "pk")
        if not isinstance(user, User):
            return cartes.none()
        if PROGRAMME.get_abilities(user)["manage_cartes"]:
            return cartes
        return cartes.filter(organisation_id__in=selectors.referent_organisation_ids(user))

    @extend_schema(summary="Les cartes : le stock et les associations")
    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Charger un lot de cartes (ANCT)",
        request=CarteLoadSerializer,
        responses={201: CarteLoadedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="charger")
    def load(self, request: AuthenticatedRequest) -> Response:
        body = CarteLoadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            loaded = cards.cartes_load_csv(content=body.validated_data["csv"], by=request.user)
        return Response({"loaded": len(loaded)}, status=201)

    @extend_schema(
        summary="Débloquer l'association de la carte (ANCT)",
        description="Après trop de codes erronés saisis pour l'associer, une carte en stock ne "
        "s'associe plus jusqu'à ce déblocage ; les échecs se comptent de nouveau à partir de "
        "zéro.",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="debloquer")
    def unlock(self, request: AuthenticatedRequest, pk: str) -> Response:
        carte = self.get_object()
        with service_errors():
            carte = cards.carte_unlock_association(carte=carte, by=request.user)
        return Response(self.get_serializer(carte).data)

    @extend_schema(
        summary="Déclarer la carte perdue",
        description="Désactivée immédiatement : ses codes sont refusés à la connexion.",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="perdue")
    def lost(self, request: AuthenticatedRequest, pk: str) -> Response:
        carte = self.get_object()
        with service_errors():
            carte = cards.carte_declare_lost(carte=carte, by=request.user)
        return Response(self.get_serializer(carte).data)


@extend_schema(tags=["Aidants Connect : demandes d'habilitation des organisations"])
class OrganisationRequestViewSet(viewsets.GenericViewSet):
    """The ANCT instructs the organisations' requests, with the pages' services and abilities."""

    serializer_class = OrganisationRequestSerializer
    permission_classes = [permissions.IsAuthenticated]

    lookup_value_regex = "[0-9]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not organisation_request_abilities(request.user)["view"]:
            raise exceptions.PermissionDenied("Réservé aux agents de l'ANCT.")

    def get_queryset(self) -> QuerySet[OrganisationRequest]:
        requests = OrganisationRequest.objects.prefetch_related("messages")
        return requests.order_by("-created_at", "-pk")

    @extend_schema(summary="Les demandes, les plus récentes d'abord")
    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="Une demande, avec ses messages")
    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def _act(self, run: Callable[[OrganisationRequest], object]) -> Response:
        organisation_request = self.get_object()
        with service_errors():
            run(organisation_request)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=organisation_request.pk)).data
        )

    def _message(self, request: AuthenticatedRequest) -> str:
        body = RequestMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["message"]

    @extend_schema(summary="Prendre la demande en instruction", request=None)
    @action(detail=True, methods=["post"], url_path="instruire")
    def instruct(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(
            lambda r: organisations.organisation_request_instruct(request=r, by=request.user)
        )

    @extend_schema(summary="Demander des modifications", request=RequestMessageSerializer)
    @action(detail=True, methods=["post"], url_path="modifications")
    def ask_changes(self, request: AuthenticatedRequest, pk: str) -> Response:
        message = self._message(request)
        return self._act(
            lambda r: organisations.organisation_request_ask_changes(
                request=r, message=message, by=request.user
            )
        )

    @extend_schema(
        summary="Valider la demande",
        description="Crée l'organisation, le compte de son référent (invité par courriel) et les "
        "demandes d'habilitation des aidants, en une transaction.",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="valider")
    def validate(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(
            lambda r: organisations.organisation_request_validate(request=r, by=request.user)
        )

    @extend_schema(summary="Refuser la demande", request=RequestMessageSerializer)
    @action(detail=True, methods=["post"], url_path="refuser")
    def refuse(self, request: AuthenticatedRequest, pk: str) -> Response:
        message = self._message(request)
        return self._act(
            lambda r: organisations.organisation_request_refuse(
                request=r, reason=message, by=request.user
            )
        )

    @extend_schema(summary="Clore la demande", request=RequestMessageSerializer)
    @action(detail=True, methods=["post"], url_path="clore")
    def close(self, request: AuthenticatedRequest, pk: str) -> Response:
        message = self._message(request)
        return self._act(
            lambda r: organisations.organisation_request_close(
                request=r, reason=message, by=request.user
            )
        )
