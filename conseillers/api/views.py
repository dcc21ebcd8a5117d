"""REST API of the conseillers numériques programme.

Reads are scoped by the models' `visible_to` querysets (out of scope: 404); each change of state is
an explicit action that calls a service of `conseillers.services`, after `HasAbility` has read the
object's `get_abilities` (the service checks it again under its row lock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from conseillers import formatting, selectors, services, territory
from conseillers.abilities import PROGRAMME, StructureAbilities
from conseillers.api import serializers as s
from conseillers.api.filters import CandidatureFilter, EnvelopeFilter, MatchFilter, PostFilter
from conseillers.apportionment import Method
from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureTransition,
    Envelope,
    Match,
    MatchTransition,
    Post,
    PostHolding,
    PrefectureOpinion,
    SmicRate,
    Training,
)
from core.api.filters import KnownQueryParameters
from core.api.pagination import KeysetPagination
from core.api.permissions import HasAbility
from core.http import AuthenticatedRequest
from core.models import Departement, Structure, User

ANCT_ONLY = formatting.ANCT_ONLY
CANNOT_ACT = (
    "Vous ne pouvez pas effectuer cette action sur ce dossier, ou pas dans son état actuel."
)

ERRORS = {
    400: OpenApiResponse(
        s.ErrorSerializer, description="Données invalides : les messages sont dans `details`."
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="Authentification requise."),
    403: OpenApiResponse(
        s.ErrorSerializer,
        description="Action non permise à cette personne, ou pas dans l'état actuel du dossier.",
    ),
    404: OpenApiResponse(
        s.ErrorSerializer, description="Introuvable, ou hors du périmètre de la personne."
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


@contextmanager
def service_errors(**renamed: str) -> Iterator[None]:
    """Turns the Django errors a service raises into the API's error body.

    The service's own French message is kept for a refusal, and field names are those of the API
    (`renamed` maps a model field to the API field; model-wide errors become non_field_errors).
    """
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(_details(exc, renamed)) from exc


def _details(exc: DjangoValidationError, renamed: dict[str, str]) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": exc.messages}
    renamed = {NON_FIELD_ERRORS: "non_field_errors", **renamed}
    return {renamed.get(name, name): messages for name, messages in exc.message_dict.items()}


def valid_body(serializer_class: type[serializers.Serializer], request: Request) -> dict:
    body = serializer_class(data=request.data, context={"request": request})
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


# --- Applications --------------------------------------------------------------------------------


def candidatures_for(user: User) -> QuerySet[Candidature]:
    """The applications the person can see, with all the list needs in a constant number of
    queries: quota in force, current opinion, transition log."""
    opinions = PrefectureOpinion.objects.select_related("author", "transfer_to").order_by(
        "-created_at", "-pk"
    )
    return (
        selectors.with_quota(Candidature.objects.visible_to(user))
        .select_related("structure")
        .prefetch_related(
            Prefetch("opinions", queryset=opinions, to_attr="opinions_latest_first"),
            Prefetch("transitions", queryset=CandidatureTransition.objects.select_related("by")),
        )
        .order_by("-created_at", "-pk")
    )


CANDIDATURE_ACTION = {
    200: s.CandidatureSerializer,
    **errors(400, 401, 403, 404),
}


@extend_schema(tags=["Conseillers numériques : candidatures de structures"])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les candidatures",
        description="ANCT : toutes ; préfecture : celles de son territoire ; gestionnaire : "
        "celles de ses structures. Chaque candidature porte le quota en vigueur, l'avis de la "
        "préfecture, le signalement de doublon, l'historique et `abilities`.",
        responses={200: s.CandidatureSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter une candidature",
        description="Hors de votre périmètre, la candidature est introuvable (404).",
        responses={200: s.CandidatureSerializer, **errors(401, 404)},
    ),
)
class CandidatureViewSet(viewsets.ReadOnlyModelViewSet):
    """Candidatures des structures aux postes de conseillers numériques.

    L'état ne s'écrit jamais : chaque changement est une action (examen, refus, annulation,
    doublon, abandon, décision), permise selon `abilities`.
    """

    request: AuthenticatedRequest
    queryset = Candidature.objects.none()
    serializer_class = s.CandidatureSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filterset_class = CandidatureFilter
    ordering_fields = ["created_at", "state_changed_at", "posts_wished"]
    ability_map = {"opinion": "give_opinion", "decisions": "view", "record_decision": "decide"}
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[Candidature]:
        return candidatures_for(self.request.user)

    def _read(self, pk: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(
        summary="Déposer une candidature",
        description="Par un gestionnaire de la structure. Un SIRET déjà candidat est signalé "
        "comme doublon possible (`duplicate_of`), jamais fusionné.",
        request=s.CandidatureSubmitSerializer,
        responses={201: s.CandidatureSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.CandidatureSubmitSerializer, request)
        with service_errors():
            candidature = services.candidature_submit(by=request.user, **body)
        return Response(self._read(candidature.pk), status=status.HTTP_201_CREATED)

    def _act(self, request: AuthenticatedRequest, service: Callable[..., Candidature]) -> Response:
        candidature = self.get_object()
        body = valid_body(s.ReasonSerializer, request)
        with service_errors():
            service(candidature=candidature, by=request.user, reason=body["reason"])
        return Response(self._read(candidature.pk))

    @extend_schema(
        summary="Demander un examen complémentaire",
        description="ANCT, sur une candidature créée.",
        request=s.ReasonSerializer,
        responses=CANDIDATURE_ACTION,
    )
    @action(detail=True, methods=["post"])
    def examine(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.candidature_examine)

    @extend_schema(
        summary="Refuser la candidature",
        description="ANCT, tant que la candidature n'est pas décidée ; motif obligatoire.",
        request=s.ReasonSerializer,
        responses=CANDIDATURE_ACTION,
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.candidature_refuse)

    @extend_schema(
        summary="Annuler la candidature",
        description="ANCT (par exemple, déposée par erreur) ; motif obligatoire.",
        request=s.ReasonSerializer,
        responses=CANDIDATURE_ACTION,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.candidature_cancel)

    @extend_schema(
        summary="Confirmer un doublon",
        description="ANCT confirme que la candidature double une autre du même SIRET ; "
        "motif obligatoire.",
        request=s.ReasonSerializer,
        responses=CANDIDATURE_ACTION,
    )
    @action(detail=True, methods=["post"], url_path="mark-duplicate")
    def mark_duplicate(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.candidature_mark_duplicate)

    @extend_schema(
        summary="Abandonner la candidature",
        description="Le gestionnaire de la structure (ou l'ANCT), tant qu'elle n'est pas décidée.",
        request=s.ReasonSerializer,
        responses=CANDIDATURE_ACTION,
    )
    @action(detail=True, methods=["post"])
    def abandon(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.candidature_abandon)

    @extend_schema(
        summary="Donner ou modifier l'avis de la préfecture",
        description="Préfecture du territoire, tant que la candidature n'est pas décidée. "
        "Chaque avis est une nouvelle ligne ; le dernier est en vigueur. Commentaire de 10 à "
        "1 000 caractères ; transfert possible vers une autre structure de votre territoire.",
        request=s.OpinionGiveSerializer,
        responses={201: s.OpinionSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def opinion(self, request: AuthenticatedRequest, pk: str) -> Response:
        candidature = self.get_object()
        body = valid_body(s.OpinionGiveSerializer, request)
        with service_errors():
            opinion = services.opinion_give(candidature=candidature, by=request.user, **body)
        return Response(s.OpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Registre des décisions",
        description="Les décisions de l'ANCT (COSELEC et avenants), de la plus récente à la plus "
        "ancienne. Le quota en vigueur est celui de la dernière décision positive.",
        responses={200: s.DecisionSerializer(many=True), **errors(401, 404)},
    )
    # The ledger of one application: the filters of the list of applications play no part.
    @action(detail=True, methods=["get"], filter_backends=[KnownQueryParameters])
    def decisions(self, request: AuthenticatedRequest, pk: str) -> Response:
        # Paginated as every list of the API (the schema says so).
        ledger = self.get_object().decisions.select_related("author").order_by("-created_at", "-pk")
        page = self.paginate_queryset(ledger)
        return self.get_paginated_response(s.DecisionSerializer(page, many=True).data)

    @extend_schema(
        summary="Enregistrer une décision",
        description="ANCT. Sur une candidature non décidée : décision initiale (au moins un "
        "poste), qui la valide. Sur une candidature validée : avenant d'ajout ou de retrait, avec "
        "son motif. Au-delà de l'enveloppe du département, `envelope_override` doit justifier "
        "le dépassement.",
        request=s.DecisionRecordSerializer,
        responses={201: s.DecisionSerializer, **errors(400, 401, 403, 404)},
    )
    @decisions.mapping.post
    def record_decision(self, request: AuthenticatedRequest, pk: str) -> Response:
        candidature = self.get_object()
        body = valid_body(s.DecisionRecordSerializer, request)
        with service_errors():
            decision = services.decision_record(candidature=candidature, by=request.user, **body)
        return Response(s.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


# --- Envelopes -----------------------------------------------------------------------------------


DEPARTEMENT_CODE = OpenApiParameter(
    "departement", OpenApiTypes.STR, OpenApiParameter.PATH, description="Code du département."
)


@extend_schema(tags=["Conseillers numériques : enveloppes départementales"])
class EnvelopeViewSet(viewsets.GenericViewSet):
    """Enveloppes de postes par département (accord préalable), fixées par l'ANCT.

    Une enveloppe ne se modifie jamais : chaque changement est une nouvelle ligne datée.
    """

    request: AuthenticatedRequest
    queryset = Envelope.objects.none()
    serializer_class = s.EnvelopeInForceSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = PROGRAMME
    collection_ability_map = {
        "create": "envelope_set",
        "proposal": "proposal_make",
        "apply": "proposal_apply",
        "redistribution": "redistribute",
    }
    filterset_class = EnvelopeFilter
    ordering_fields = ["departement", "posts", "created_at"]
    pagination_class = None
    lookup_field = "departement"
    lookup_value_regex = "[0-9][0-9AB][0-9]?"

    def get_queryset(self) -> QuerySet[Envelope]:
        return Envelope.objects.in_force().select_related("departement", "author")

    @extend_schema(
        summary="Enveloppes en vigueur",
        description="Une ligne par département doté d'une enveloppe, avec les postes déjà "
        "accordés aux structures. Toute personne connectée.",
        responses={200: s.EnvelopeInForceSerializer(many=True), **errors(401)},
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        envelopes = list(self.filter_queryset(self.get_queryset()))
        granted = selectors.posts_granted_by_departement()
        for envelope in envelopes:
            # Read by EnvelopeInForceSerializer: the posts granted beside the envelope.
            envelope.granted = granted.get(envelope.departement_id, 0)  # type: ignore[attr-defined]
        return Response(self.get_serializer(envelopes, many=True).data)

    @extend_schema(
        summary="Historique de l'enveloppe d'un département",
        parameters=[DEPARTEMENT_CODE],
        responses={200: s.EnvelopeHistorySerializer, **errors(401, 404)},
    )
    def retrieve(self, request: AuthenticatedRequest, departement: str) -> Response:
        place = get_object_or_404(Departement, pk=departement)
        history = list(Envelope.objects.filter(departement=place).select_related("author"))
        summary = {
            "departement": place.code,
            "departement_name": place.name,
            "posts": history[0].posts if history else None,
            "granted": selectors.posts_granted_in(place.code),
            "history": history,
        }
        return Response(s.EnvelopeHistorySerializer(summary).data)

    @extend_schema(
        summary="Changer l'enveloppe d'un département",
        description="ANCT seulement ; le motif est obligatoire.",
        request=s.EnvelopeSetSerializer,
        responses={201: s.EnvelopeSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.EnvelopeSetSerializer, request)
        with service_errors():
            envelope = services.envelope_set(by=request.user, **body)
        return Response(s.EnvelopeSerializer(envelope).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Proposer une répartition des postes",
        description="ANCT seulement ; n'écrit rien. Répartit `total` postes entre les "
        "départements selon l'indicateur (population légale par défaut) et la méthode choisie, "
        "avec un plancher par département, et met la proposition en regard des enveloppes en "
        "vigueur : part exacte, écart, indices de Loosemore-Hanby (0 : parfaitement "
        "proportionnel).",
        request=s.ProposalRequestSerializer,
        responses={200: s.ProposalSerializer, **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="proposition")
    def proposal(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.ProposalRequestSerializer, request)
        return Response(s.ProposalSerializer(propose(**body)).data)

    @extend_schema(
        summary="Appliquer tout ou partie d'une proposition",
        description="ANCT seulement. Écrit une nouvelle enveloppe pour chaque département dont "
        "le nombre de postes change ; les autres restent tels quels.",
        request=s.ApplySerializer,
        responses={200: s.ApplyResultSerializer, **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="appliquer")
    def apply(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.ApplySerializer, request)
        with service_errors():
            created = services.envelopes_apply(by=request.user, **body)
        rows = Envelope.objects.filter(pk__in=[envelope.pk for envelope in created])
        rows = rows.select_related("departement", "author").order_by("departement_id")
        changed = {envelope.departement_id for envelope in created}
        unchanged = sorted(set(body["allocation"]) - changed)
        return Response(s.ApplyResultSerializer({"created": rows, "unchanged": unchanged}).data)

    @extend_schema(
        summary="Proposer une redistribution de postes rendus ou inutilisés",
        description="ANCT seulement ; n'écrit rien. Répartit `total` postes entre les "
        "départements où des structures ont demandé plus de postes qu'elles n'en ont obtenu, "
        "en proportion de cette demande et sans la dépasser. ANCT confirme ensuite avec "
        "`appliquer`.",
        request=s.RedistributionRequestSerializer,
        responses={200: s.RedistributionRowSerializer(many=True), **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="redistribution")
    def redistribution(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.RedistributionRequestSerializer, request)
        proposal = territory.redistribution_proposal(total=body["total"])
        rows = [{"departement": code, **row} for code, row in sorted(proposal.items())]
        return Response(s.RedistributionRowSerializer(rows, many=True).data)


def propose(*, total: int, method: str, floor: int, indicator: str) -> dict:
    """An apportionment of `total` posts beside the envelopes in force (the indicator is the
    legal population, the only one loaded so far)."""
    names = dict(Departement.objects.values_list("code", "name"))
    comparison = territory.envelope_proposal(total=total, method=Method(method), floor=floor)
    rows = [
        {
            "departement": row.key,
            "departement_name": names[row.key],
            "current": row.current,
            "proposed": row.proposed,
            "difference": row.difference,
            "quota": s.fraction_to_decimal(row.quota, 4),
            "deviation": s.fraction_to_decimal(row.deviation, 4),
        }
        for row in comparison.rows
    ]
    return {
        "method": method,
        "method_label": Method(method).label,
        "indicator": indicator,
        "floor": floor,
        "current_total": comparison.current_total,
        "proposed_total": comparison.proposed_total,
        "current_index": s.fraction_to_decimal(comparison.current_index, 6),
        "proposed_index": s.fraction_to_decimal(comparison.proposed_index, 6),
        "rows": rows,
    }


# --- Candidates ----------------------------------------------------------------------------------


def matches_for(user: User) -> QuerySet[Match]:
    """The matches the person can see, with contract, rupture and log in constant queries."""
    return (
        Match.objects.visible_to(user)
        .select_related("structure", "candidat", "contract", "rupture", "holding")
        .prefetch_related(
            Prefetch("transitions", queryset=MatchTransition.objects.select_related("by"))
        )
        .order_by("-created_at", "-pk")
    )


STRUCTURE_PARAMETER = OpenApiParameter(
    "structure",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=True,
    description="Identifiant de votre structure (vous en êtes gestionnaire).",
)


@extend_schema(tags=["Conseillers numériques : candidats"])
class CandidatViewSet(viewsets.GenericViewSet):
    """Personnes candidates au poste de conseiller numérique."""

    request: AuthenticatedRequest
    queryset = Candidat.objects.none()
    serializer_class = s.CandidatForStructureSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [KnownQueryParameters]
    query_parameters = ["structure"]

    @extend_schema(
        summary="Candidats disponibles pour une structure",
        description="Pour un gestionnaire d'une structure dont la candidature est validée "
        "(quota accordé) : les candidats disponibles, ceux qui peuvent travailler dans le "
        "département de la structure d'abord, avec l'éventuelle mise en relation.",
        parameters=[STRUCTURE_PARAMETER],
        responses={200: s.CandidatForStructureSerializer(many=True), **errors(400, 401, 403)},
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        structure = managed_structure(request)
        page = self.paginate_queryset(self.filter_queryset(candidats_for(structure)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="S'inscrire comme candidat",
        description="Toute personne connectée s'inscrit elle-même (l'inscription est liée à son "
        "compte) ; l'ANCT peut aussi inscrire une personne pour le compte de celle-ci.",
        request=s.CandidatRegisterSerializer,
        responses={201: s.CandidatSerializer, **errors(400, 401)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(s.CandidatRegisterSerializer, request)
        if not PROGRAMME.get_abilities(request.user)["candidat_register_for_others"]:
            if Candidat.objects.filter(user=request.user).exists():
                raise exceptions.ValidationError(
                    {"non_field_errors": ["Vous êtes déjà inscrit(e) comme candidat(e)."]}
                )
            body["user"] = request.user
        with service_errors(user="non_field_errors"):
            candidat = services.candidats_register(**body)
        return Response(s.CandidatSerializer(candidat).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Marquer l'intérêt de la structure pour un candidat",
        description="Gestionnaire d'une structure qui a des postes accordés. Crée la mise en "
        "relation si besoin ; `interested: false` la marque non intéressée.",
        request=s.InterestSerializer,
        responses={200: s.MatchSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def interest(self, request: AuthenticatedRequest, pk: str) -> Response:
        candidat = get_object_or_404(Candidat.objects.available(), pk=pk)
        body = valid_body(s.InterestSerializer, request)
        with service_errors():
            match = services.match_mark_interest(candidat=candidat, by=request.user, **body)
        match = matches_for(request.user).get(pk=match.pk)
        return Response(s.MatchSerializer(match, context={"request": request}).data)


def managed_structure(request: AuthenticatedRequest) -> Structure:
    """The structure of the `structure` parameter, if the person manages it and it has posts."""
    raw = request.query_params.get("structure", "")
    if not raw.isdigit():
        raise exceptions.ValidationError(
            {"structure": ["Indiquez l'identifiant de votre structure (paramètre structure)."]}
        )
    structure = (
        Structure.objects.select_related("departement", "commune").filter(pk=int(raw)).first()
    )
    if structure is None or not StructureAbilities(structure).get_abilities(request.user).get(
        "candidats_view"
    ):
        raise exceptions.PermissionDenied(
            "Seul un gestionnaire de la structure peut consulter les candidats."
        )
    if not selectors.quota_of_structure(structure):
        raise exceptions.PermissionDenied(
            "Votre structure n'a pas encore de postes accordés par l'ANCT : les candidats "
            "seront visibles après la validation de sa candidature."
        )
    return structure


def candidats_for(structure: Structure) -> QuerySet[Candidat]:
    mine = Match.objects.filter(structure=structure, candidat=OuterRef("pk"))
    return selectors.candidats_for_structure(structure).annotate(
        match_id=Subquery(mine.values("pk")[:1]), match_state=Subquery(mine.values("state")[:1])
    )


# --- Matches -------------------------------------------------------------------------------------


MATCH_ACTION = {200: s.MatchSerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=["Conseillers numériques : mises en relation"])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les mises en relation",
        description="ANCT : toutes ; préfecture : son territoire ; gestionnaire : ses "
        "structures ; candidat : les siennes.",
        responses={200: s.MatchSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter une mise en relation",
        responses={200: s.MatchSerializer, **errors(401, 404)},
    ),
)
class MatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Mises en relation d'une structure et d'un candidat, jusqu'à la fin du contrat."""

    request: AuthenticatedRequest
    queryset = Match.objects.none()
    serializer_class = s.MatchSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    # One per candidate and structure: keyset pages (index on created_at, id) stay flat.
    pagination_class = KeysetPagination
    filterset_class = MatchFilter
    ordering_fields = ["created_at", "state_changed_at"]
    ability_map = {"rupture": "declare_rupture"}
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[Match]:
        return matches_for(self.request.user)

    def _read(self, pk: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="Recruter : saisir le contrat",
        description="Gestionnaire de la structure, sur une mise en relation intéressée. Refusé "
        "si tous les postes accordés sont occupés, ou si le salaire est inférieur au SMIC "
        "(au prorata des heures, au taux en vigueur au début du contrat).",
        request=s.RecruitSerializer,
        responses=MATCH_ACTION,
    )
    @action(detail=True, methods=["post"])
    def recruit(self, request: AuthenticatedRequest, pk: str) -> Response:
        match = self.get_object()
        body = valid_body(s.RecruitSerializer, request)
        with service_errors(type="contract_type"):
            services.match_recruit(match=match, by=request.user, **body)
        return self._read(match.pk)

    @extend_schema(
        summary="Valider le recrutement",
        description="ANCT, sur un recrutement saisi.",
        request=s.ReasonSerializer,
        responses=MATCH_ACTION,
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.match_finalise)

    @extend_schema(
        summary="Terminer le contrat",
        description="ANCT ou gestionnaire, quand le contrat arrive à son terme ou est "
        "renouvelé : le poste devient vacant.",
        request=s.ReasonSerializer,
        responses=MATCH_ACTION,
    )
    @action(detail=True, methods=["post"])
    def end(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._act(request, services.match_end)

    def _act(self, request: AuthenticatedRequest, service: Callable[..., Match]) -> Response:
        match = self.get_object()
        body = valid_body(s.ReasonSerializer, request)
        with service_errors():
            service(match=match, by=request.user, **body)
        return self._read(match.pk)

    @extend_schema(
        summary="Déclarer une rupture",
        description="Gestionnaire de la structure, sur un recrutement validé : date (avant la "
        "fin du contrat) et motif.",
        request=s.RuptureDeclareSerializer,
        responses=MATCH_ACTION,
    )
    @action(detail=True, methods=["post"])
    def rupture(self, request: AuthenticatedRequest, pk: str) -> Response:
        match = self.get_object()
        body = valid_body(s.RuptureDeclareSerializer, request)
        with service_errors():
            services.rupture_declare(match=match, by=request.user, **body)
        return self._read(match.pk)

    @extend_schema(
        summary="Valider la rupture",
        description="ANCT seulement : le poste est vacant à la date de rupture.",
        request=None,
        responses=MATCH_ACTION,
    )
    @action(detail=True, methods=["post"], url_path="validate-rupture")
    def validate_rupture(self, request: AuthenticatedRequest, pk: str) -> Response:
        match = self.get_object()
        with service_errors():
            services.rupture_validate(match=match, by=request.user)
        return self._read(match.pk)


@extend_schema(tags=["Conseillers numériques : postes"])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les postes",
        description="Les postes subventionnés des structures visibles (ANCT : tous ; préfecture : "
        "son territoire ; gestionnaire : ses structures), avec leurs titulaires successifs et les "
        "liens vers leurs subventions et tranches.",
        responses={200: s.PostSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter un poste",
        responses={200: s.PostSerializer, **errors(401, 404)},
    ),
)
class PostViewSet(viewsets.ReadOnlyModelViewSet):
    """Un poste subventionné, occupé par des conseillers successifs : ouvert par la validation
    d'un recrutement, vacant après une rupture, rendu s'il n'est pas pourvu à temps."""

    request: AuthenticatedRequest
    queryset = Post.objects.none()
    serializer_class = s.PostSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filterset_class = PostFilter
    ordering_fields = ["created_at", "vacant_since"]

    def get_queryset(self) -> QuerySet[Post]:
        holdings = PostHolding.objects.select_related("match__candidat").order_by(
            "started_on", "pk"
        )
        return (
            Post.objects.visible_to(self.request.user)
            .select_related("structure")
            .prefetch_related(Prefetch("holdings", queryset=holdings))
            .order_by("pk")
        )


@extend_schema(tags=["Conseillers numériques : SMIC"])
@extend_schema_view(
    list=extend_schema(
        summary="Taux du SMIC",
        description="Le SMIC horaire brut par date d'entrée en vigueur, du plus récent au plus "
        "ancien : il borne le salaire des contrats. Modifiable par l'ANCT dans l'administration.",
        responses={200: s.SmicRateSerializer(many=True), **errors(401)},
    )
)
class SmicRateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Table des taux du SMIC."""

    queryset = SmicRate.objects.order_by("-valid_from")
    serializer_class = s.SmicRateSerializer
    pagination_class = None
    filter_backends = [KnownQueryParameters]


@extend_schema(tags=["Conseillers numériques : formation et certification"])
@extend_schema_view(
    list=extend_schema(
        summary="Formations et certifications visibles",
        responses={200: s.TrainingSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Formation et certification d'un conseiller",
        responses={200: s.TrainingSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Enregistrer la formation d'un conseiller (ANCT)",
        responses={201: s.TrainingSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Mettre à jour la formation ou la certification (ANCT)",
        responses={200: s.TrainingSerializer, **errors(400, 401, 403, 404)},
    ),
)
class TrainingViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """ANCT records and updates trainings; a conseiller reads its own."""

    request: AuthenticatedRequest
    queryset = Training.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = s.TrainingSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = PROGRAMME
    collection_ability_map = {"create": "training_record", "partial_update": "training_record"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Training]:
        trainings = Training.objects.select_related("candidat").order_by("pk")
        if PROGRAMME.get_abilities(self.request.user)["trainings_view_all"]:
            return trainings
        return trainings.filter(candidat__user=self.request.user)
