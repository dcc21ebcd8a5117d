from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.abilities import ADMINISTRATION
from core.api.filters import DepartementFilter, FilterSet, RegionFilter
from core.api.pagination import Pagination
from core.api.parsers import JSONParser
from core.api.permissions import HasAbility
from core.api.serializers import (
    AccountCreateSerializer,
    AccountSerializer,
    CommuneSerializer,
    DepartementSerializer,
    InvitationSerializer,
    InviteSerializer,
    MeSerializer,
    RegionSerializer,
    StructureCreateSerializer,
    StructureSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from core.api.throttling import ScopedRateThrottle
from core.http import AuthenticatedRequest
from core.models import Commune, CommuneQuerySet, Departement, Region, Role, Structure, User, Zone
from core.services import (
    account_create,
    api_token_create,
    structure_create,
    structure_invite_manager,
)

# Codes of the referential are letters and digits (2A, 971): any other path, a NUL character
# among them, is not found by the router rather than sent to the database.
REFERENTIAL_CODE = "[0-9A-Za-z]+"


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Régions (et collectivités d'outre-mer) du référentiel."""

    queryset = Region.objects.order_by("code")
    lookup_value_regex = REFERENTIAL_CODE
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    pagination_class = None


class CommunePagination(Pagination):
    # Suggestions and map searches: a short page; the whole referential is the CSV shipped.
    page_size = 10
    max_page_size = 50


class CommuneFilter(FilterSet):
    q = filters.CharFilter(
        method="search",
        label="Début du nom (accents et tirets ignorés) ou du code postal, 2 caractères au moins",
        max_length=60,
    )
    departement = DepartementFilter(field_name="departement_id", label="Code du département")

    class Meta:
        model = Commune
        fields = ["q", "departement"]

    def search(self, queryset: CommuneQuerySet, name: str, value: str) -> CommuneQuerySet:
        return queryset.search(value)


@extend_schema(tags=["Référentiel"])
class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """Communes du Code officiel géographique : recherche par nom ou code postal, consultation
    par code INSEE (l'ancien code d'une commune fusionnée donne la commune actuelle)."""

    queryset = Commune.objects.all()
    lookup_value_regex = REFERENTIAL_CODE
    serializer_class = CommuneSerializer
    permission_classes = [AllowAny]
    pagination_class = CommunePagination
    filterset_class = CommuneFilter

    def list(self, request, *args, **kwargs):
        query = request.query_params.get("q", "").strip()
        if len(query) < 2 and "departement" not in request.query_params:
            raise exceptions.ValidationError(
                {"q": ["Indiquez au moins 2 caractères du nom ou du code postal."]}
            )
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Commune:
        commune = Commune.objects.resolve(str(self.kwargs["pk"]).upper())
        if commune is None:
            raise exceptions.NotFound("Aucune commune n'a ce code INSEE.")
        return commune


class DepartementListFilter(FilterSet):
    region = RegionFilter(field_name="region_id", label="Code de la région")
    zone = filters.ChoiceFilter(choices=Zone.choices, label="Zone (metro, drom, com)")

    class Meta:
        model = Departement
        fields = ["region", "zone"]


class DepartementViewSet(viewsets.ReadOnlyModelViewSet):
    """Départements et collectivités d'outre-mer, avec leur population légale."""

    queryset = Departement.objects.select_related("region").order_by("code")
    lookup_value_regex = REFERENTIAL_CODE
    serializer_class = DepartementSerializer
    permission_classes = [AllowAny]
    filterset_class = DepartementListFilter
    ordering_fields = ["code", "name", "population"]


class StructureFilter(FilterSet):
    departement = DepartementFilter(field_name="departement_id", label="Code du département")
    region = RegionFilter(field_name="departement__region_id", label="Code de la région")

    class Meta:
        model = Structure
        fields = ["departement", "region", "type", "zrr", "qpv", "france_services"]


@extend_schema_view(
    create=extend_schema(
        summary="Créer une structure",
        description="ANCT seulement. SIRET de 14 chiffres valide (clé de Luhn ; RIDET en "
        "Nouvelle-Calédonie) ; une structure n'existe qu'une fois : un SIRET déjà enregistré est "
        "refusé (400) avec le lien vers la structure existante.",
        request=StructureCreateSerializer,
        responses={201: StructureSerializer},
    ),
    invite=extend_schema(
        summary="Inviter un collègue comme gestionnaire",
        description="Gestionnaire de la structure, ou ANCT : la personne devient gestionnaire de "
        "la structure ; sans compte, elle en reçoit un avec un lien à usage unique pour choisir "
        "son mot de passe ; avec un compte, elle est prévenue par courriel.",
        request=InviteSerializer,
        responses={201: InvitationSerializer},
    ),
)
class StructureViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Structures visibles par la personne connectée (ANCT : toutes ; préfecture : son
    territoire ; membres : leurs structures)."""

    queryset = Structure.objects.none()  # for the schema; get_queryset scopes every request
    serializer_class = StructureSerializer
    permission_classes = [IsAuthenticated, HasAbility]
    collection_abilities = ADMINISTRATION
    collection_ability_map = {"create": "structure_create"}
    ability_map = {"invite": "invite_manager"}
    filterset_class = StructureFilter
    ordering_fields = ["name", "departement"]

    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Structure]:
        return Structure.objects.visible_to(self.request.user).order_by("name")

    def create(self, request: AuthenticatedRequest) -> Response:
        body = StructureCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        structure = structure_create(by=request.user, **body.validated_data)
        data = StructureSerializer(structure, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="inviter")
    def invite(self, request: AuthenticatedRequest, pk: str) -> Response:
        structure = self.get_object()
        body = InviteSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        user = structure_invite_manager(structure=structure, by=request.user, **body.validated_data)
        invitation = {"email": user.email, "structure": structure.pk, "role": Role.GESTIONNAIRE}
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(
        summary="Créer un compte avec son rôle et son périmètre",
        description="ANCT seulement : un agent de l'ANCT, un agent de préfecture (un département "
        "ou une région) ou un gestionnaire de structure. La personne reçoit par courriel un lien "
        "à usage unique pour choisir son mot de passe (le même que « mot de passe oublié »).",
        request=AccountCreateSerializer,
        responses={201: AccountSerializer},
    ),
)
class AccountViewSet(viewsets.GenericViewSet):
    """Comptes des personnes qui utilisent le service."""

    queryset = User.objects.none()
    serializer_class = AccountSerializer
    permission_classes = [IsAuthenticated, HasAbility]
    collection_abilities = ADMINISTRATION
    collection_ability_map = {"create": "account_create"}

    def create(self, request: AuthenticatedRequest) -> Response:
        body = AccountCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        user = account_create(by=request.user, **body.validated_data)
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    """La personne connectée et ses rôles."""
    return Response(MeSerializer(request.user).data)


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    # The credentials are in the body: a session cookie or a stale token header plays no part.
    authentication_classes = []
    # Programs log in with JSON; a form post (curl -d) works as well.
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Identifiants incorrects ou code à usage unique manquant ou refusé."
            ),
            429: OpenApiResponse(
                description="Connexion suspendue après trop d'échecs (en-tête Retry-After)."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Échange une adresse électronique et un mot de passe (plus, pour les aidants et
        référents, le code de leur application d'authentification) contre un jeton d'API
        expirant, un par appareil ou logiciel (`nom`). Mêmes règles de verrouillage que la page
        de connexion."""
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, raw = api_token_create(user=user, name=serializer.validated_data["nom"])
        # A successful login for the policy (axes resets the pair's failures) and last_login.
        user_logged_in.send(sender=User, request=request._request, user=user)
        return Response({"token": raw, "nom": token.name, "expiry": token.expiry})
