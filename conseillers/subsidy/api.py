"""REST API of the subsidy, under /api/conseillers/: regimes, conventions, each post's schedule,
tranches (justify, approve, send back, pay), payments, recoveries, payment orders and the budget.

Reads are scoped by the models' `visible_to` (out of scope: 404); each change of state is an
explicit action calling `conseillers.subsidy.services`, after `HasAbility` has read `get_abilities`
(the service checks again under its row lock). Amounts are integer cents (`*_cents`).
"""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from conseillers.api.links import link_schema
from conseillers.api.serializers import ABILITIES_SCHEMA, api_url
from conseillers.api.views import CANNOT_ACT, errors, service_errors, valid_body
from conseillers.dashboard.access import dashboard_scope
from conseillers.models import Candidature
from conseillers.subsidy import notices
from conseillers.subsidy import selectors as subsidy_selectors
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.abilities import SUBSIDY_PROGRAMME
from conseillers.subsidy.models import (
    Convention,
    DocumentKind,
    JustificationDocument,
    NoticeImportSource,
    Payment,
    PaymentNoticeImport,
    Recovery,
    RecoveryState,
    Regime,
    RegimeTranche,
    SubsidyTransition,
    Subvention,
    SubventionState,
    Tranche,
    TrancheState,
)
from conseillers.subsidy.renewal_api import RenewalViewSet
from conseillers.subsidy.selectors import PaymentOrder
from core.api import strict
from core.api.filters import (
    DepartementFilter,
    FilterSet,
    IdFilter,
    KnownQueryParameters,
    check_query_parameters,
    state_filter,
)
from core.api.pagination import KeysetPagination
from core.api.parsers import JSONParser
from core.api.permissions import HasAbility
from core.api.schema import SingleObjectSchema
from core.http import AuthenticatedRequest
from core.validators import validate_pdf

# --- Filters -------------------------------------------------------------------------------------
# Query parameters in French like the programme's lists, except the tranches' `state`, which
# integrators used before the other filters existed.


def _structure(path: str) -> IdFilter:
    return IdFilter(field_name=f"{path}structure_id", label="Identifiant de la structure")


def _departement(path: str) -> DepartementFilter:
    return DepartementFilter(
        field_name=f"{path}structure__departement_id", label="Code du département de la structure"
    )


class ConventionFilter(FilterSet):
    structure = _structure("")
    departement = _departement("")

    class Meta:
        model = Convention
        fields = ["structure", "departement"]


class SubventionFilter(FilterSet):
    structure = _structure("")
    departement = _departement("")
    poste = IdFilter(field_name="post_id", label="Identifiant du poste")
    convention = IdFilter(field_name="convention_id", label="Identifiant de la convention")
    etat = state_filter(SubventionState.choices, "État de la subvention")

    class Meta:
        model = Subvention
        fields = ["structure", "departement", "poste", "convention", "etat"]


class TrancheFilter(FilterSet):
    structure = _structure("subvention__")
    departement = _departement("subvention__")
    poste = IdFilter(field_name="subvention__post_id", label="Identifiant du poste")
    subvention = IdFilter(field_name="subvention_id", label="Identifiant de la subvention")
    state = state_filter(TrancheState.choices, "État de la tranche")

    class Meta:
        model = Tranche
        fields = ["structure", "departement", "poste", "subvention", "state"]


class PaymentFilter(FilterSet):
    structure = _structure("tranche__subvention__")
    departement = _departement("tranche__subvention__")
    subvention = IdFilter(field_name="tranche__subvention_id", label="Identifiant de la subvention")
    tranche = IdFilter(field_name="tranche_id", label="Identifiant de la tranche")

    class Meta:
        model = Payment
        fields = ["structure", "departement", "subvention", "tranche"]


class RecoveryFilter(FilterSet):
    structure = _structure("")
    departement = _departement("")
    subvention = IdFilter(field_name="subvention_id", label="Identifiant de la subvention")
    etat = state_filter(RecoveryState.choices, "État du reversement")

    class Meta:
        model = Recovery
        fields = ["structure", "departement", "subvention", "etat"]


# Filters first (unknown parameters refused, then each value checked); no ordering parameter.
FILTER_BACKENDS = [KnownQueryParameters, DjangoFilterBackend]


# --- Serializers ---------------------------------------------------------------------------------


class SubsidyTransitionSerializer(strict.ModelSerializer):
    from_label = serializers.CharField(read_only=True, help_text="État de départ.")
    to_label = serializers.CharField(read_only=True, help_text="État d'arrivée.")
    actor = serializers.CharField(
        read_only=True, help_text="Personne, ou « Système (tâche planifiée) »."
    )

    class Meta:
        model = SubsidyTransition
        fields = ["transition", "from_state", "from_label", "to_state", "to_label", "actor"]
        fields += ["system", "reason", "at"]
        read_only_fields = fields


class RegimeLineSerializer(strict.ModelSerializer):
    class Meta:
        model = RegimeTranche
        fields = ["audience", "rank", "label", "share_bp", "amount_cents", "bonus_cents"]
        fields += ["trigger", "month", "justification"]


class RegimeSerializer(strict.ModelSerializer):
    lines = RegimeLineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField(
        help_text="Total par poste, en centimes : publique, publique en QPV/ZRR, privée."
    )

    class Meta:
        model = Regime
        fields = ["id", "code", "name", "description", "duration_months", "total_cents"]
        fields += ["vacancy_window_months", "is_default", "created_at", "lines", "totals"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_totals(self, obj: Regime) -> dict[str, int]:
        return {
            "publique": obj.total_for(public=True, bonus=False),
            "publique_qpv_zrr": obj.total_for(public=True, bonus=True),
            "privee": obj.total_for(public=False, bonus=False),
        }


class RegimeCreateSerializer(strict.ModelSerializer):
    lines = RegimeLineSerializer(many=True, help_text="Les tranches, numérotées 1, 2, 3…")
    is_default = serializers.BooleanField(
        default=False, help_text="L'appliquer tout de suite aux nouvelles conventions."
    )

    class Meta:
        model = Regime
        fields = ["code", "name", "description", "duration_months", "total_cents"]
        fields += ["vacancy_window_months", "lines", "is_default"]


class ConventionSerializer(strict.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    regime_name = serializers.CharField(source="regime.name", read_only=True)
    total_per_post_cents = serializers.IntegerField(read_only=True)

    class Meta:
        model = Convention
        fields = ["id", "number", "structure", "structure_name", "candidature", "regime"]
        fields += ["regime_name", "signed_on", "public", "bonus", "posts", "total_per_post_cents"]
        fields += ["renews"]
        read_only_fields = fields


class ConventionSignSerializer(strict.Serializer):
    candidature = serializers.PrimaryKeyRelatedField(
        queryset=Candidature.objects.all(), help_text="Une candidature validée sans convention."
    )
    regime = serializers.PrimaryKeyRelatedField(queryset=Regime.objects.all())
    signed_on = serializers.DateField(help_text="Date de signature.")


def state_field(choices) -> serializers.CharField:
    """A state as a plain code beside its label: each choice set keeps one name in the schema."""
    return serializers.CharField(
        read_only=True, help_text="État (code) : " + ", ".join(value for value, _ in choices) + "."
    )


class TrancheSerializer(strict.ModelSerializer):
    state = state_field(TrancheState.choices)
    structure = serializers.IntegerField(source="subvention.structure_id", read_only=True)
    post = serializers.IntegerField(source="subvention.post_id", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    order_reference = serializers.CharField(read_only=True)
    required_documents = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices), read_only=True
    )
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur cette tranche, action par action."
    )

    class Meta:
        model = Tranche
        fields = ["id", "subvention", "structure", "post", "rank", "label"]
        fields += ["initial_amount_cents", "amount_cents", "trigger", "month", "justification"]
        fields += ["required_documents", "due_on", "state", "state_label", "blocked_reason"]
        fields += ["state_changed_at", "order_reference", "abilities"]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Tranche) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


class DocumentSerializer(strict.ModelSerializer):
    # A plain code, as in required_documents: one name for the choice set in the schema.
    kind = serializers.CharField(
        read_only=True, help_text="Pièce (code) : " + ", ".join(DocumentKind.values) + "."
    )
    submitted_at = serializers.DateTimeField(source="justification.submitted_at", read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text="Téléchargement du PDF, réservé à qui voit la tranche (jamais une URL publique)."
    )

    class Meta:
        model = JustificationDocument
        fields = ["id", "kind", "size", "submitted_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: JustificationDocument) -> str:
        url = reverse("conseillers:subsidy-document", args=[obj.pk])
        return self.context["request"].build_absolute_uri(url)


class TrancheDetailSerializer(TrancheSerializer):
    transitions = SubsidyTransitionSerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField(
        help_text="Pièces des justificatifs déposés, du plus récent au plus ancien."
    )

    class Meta(TrancheSerializer.Meta):
        fields = [*TrancheSerializer.Meta.fields, "transitions", "documents"]
        read_only_fields = fields

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj: Tranche) -> list[dict]:
        pieces = (
            JustificationDocument.objects.filter(justification__tranche=obj)
            .select_related("justification")
            .order_by("-justification__submitted_at", "-justification__pk", "kind")
        )
        # many=True makes a ListSerializer: its data is a list (the stubs say a dict).
        return cast(list[dict], DocumentSerializer(pieces, many=True, context=self.context).data)


class ProjectedRecoverySerializer(strict.Serializer):
    amount_cents = serializers.IntegerField(
        help_text="Trop-perçu à reverser (centimes) : payé au-delà des droits des mois servis "
        "avant la vacance ; 0 si rien n'a été payé en trop."
    )
    due_on = serializers.DateField(
        help_text="Jour où la subvention est soldée et le reversement créé, faute de "
        "recrutement : le lendemain de la date limite de remplacement."
    )


class ContractTermSerializer(strict.Serializer):
    contract_end = serializers.DateField(
        help_text="Date de fin du contrat du titulaire en vigueur (prolongations comprises)."
    )
    service_ends_on = serializers.DateField(
        source="projection.service_ends_on", help_text="Premier jour non travaillé."
    )
    months_served = serializers.IntegerField(
        source="projection.months_served",
        help_text="Mois de service du poste à ce terme (titulaires précédents compris).",
    )
    earned_cents = serializers.IntegerField(
        source="projection.earned_cents", help_text="Droits acquis à ce terme (centimes)."
    )
    unreached_ranks = serializers.ListField(
        child=serializers.IntegerField(),
        source="projection.unreached_ranks",
        help_text="Rangs des tranches dont le mois de service n'est pas atteint à ce terme.",
    )
    recovery_cents = serializers.IntegerField(
        help_text="Trop-perçu à reverser si personne ne reprend le poste dans le délai de "
        "remplacement (centimes)."
    )


SUBVENTION_LINKS = link_schema(
    structure="La structure employeuse.",
    poste="Le poste subventionné, ses titulaires successifs.",
    convention="La convention qui fixe le régime.",
    titulaire="La mise en relation du titulaire actuel (absent si le poste est vacant).",
    tranches="Les tranches de cette subvention (liste filtrée).",
    paiements="Les paiements de ses tranches (liste filtrée).",
)


def post_links(kind: str, post_id: int, request) -> dict[str, str]:
    """What the subsidy adds to a match's or a post's links (registered in `apps.ready`): the
    subsidies and tranches of the post, as filtered lists, so no query per row."""
    if kind != "post":
        return {}
    return {
        "subventions": api_url(
            request, "api-conseillers:subvention-list", query=f"poste={post_id}"
        ),
        "tranches": api_url(request, "api-conseillers:tranche-list", query=f"poste={post_id}"),
    }


class SubventionSerializer(strict.ModelSerializer):
    state = state_field(SubventionState.choices)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    holder_name = serializers.CharField(source="holder.candidat.__str__", read_only=True)
    earned_to_date_cents = serializers.SerializerMethodField(
        help_text="Droits acquis par les mois de service à ce jour (définitifs une fois soldée)."
    )
    projected_recovery = serializers.SerializerMethodField(
        help_text="Poste vacant seulement (sinon null) : le reversement que la réconciliation "
        "quotidienne créera si personne n'est recruté avant la date limite de remplacement."
    )
    contract_term = serializers.SerializerMethodField(
        help_text="Subvention active dont le CDD ou contrat de projet du titulaire finit avant "
        "l'échéancier (sinon null) : où en sera l'échéancier au terme du contrat. Une "
        "prolongation validée déplace ce terme."
    )
    tranches = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Subvention
        fields = ["id", "convention", "structure", "post", "holder", "holder_name"]
        fields += ["total_cents", "duration_months", "started_on", "holder_started_on"]
        fields += ["months_carried", "ends_on", "vacant_since", "vacancy_deadline", "state"]
        fields += ["state_label", "closed_on", "months_served", "earned_cents"]
        fields += ["earned_to_date_cents", "projected_recovery", "contract_term"]
        fields += ["tranches", "links"]
        read_only_fields = fields

    @extend_schema_field(SUBVENTION_LINKS)
    def get_links(self, obj: Subvention) -> dict[str, str]:
        request = self.context["request"]
        found = {
            "structure": api_url(request, "api:structure-detail", obj.structure_id),
            "poste": api_url(request, "api-conseillers:poste-detail", obj.post_id),
            "convention": api_url(request, "api-conseillers:convention-detail", obj.convention_id),
            "tranches": api_url(
                request, "api-conseillers:tranche-list", query=f"subvention={obj.pk}"
            ),
            "paiements": api_url(
                request, "api-conseillers:paiement-list", query=f"subvention={obj.pk}"
            ),
        }
        if obj.holder_id is not None:
            found["titulaire"] = api_url(
                request, "api-conseillers:mise-en-relation-detail", obj.holder_id
            )
        return found

    def get_earned_to_date_cents(self, obj: Subvention) -> int:
        return subsidy_selectors.earned_to_date(obj, timezone.localdate())

    @extend_schema_field(ProjectedRecoverySerializer(allow_null=True))
    def get_projected_recovery(self, obj: Subvention) -> dict | None:
        # paid_cents: annotated by the viewset's queryset (selectors.with_paid).
        projected = subsidy_selectors.projected_recovery(obj, obj.paid_cents)  # type: ignore[attr-defined]
        if projected is None:
            return None
        return ProjectedRecoverySerializer(projected).data

    @extend_schema_field(ContractTermSerializer(allow_null=True))
    def get_contract_term(self, obj: Subvention) -> dict | None:
        term = subsidy_selectors.contract_term(obj, obj.paid_cents)  # type: ignore[attr-defined]
        return None if term is None else ContractTermSerializer(term).data

    @extend_schema_field(TrancheSerializer(many=True))
    def get_tranches(self, obj: Subvention) -> list[dict]:
        # many=True makes a ListSerializer: its data is a list (the stubs say a dict).
        return cast(
            list[dict], TrancheSerializer(obj.tranches.all(), many=True, context=self.context).data
        )


class JustifySerializer(strict.Serializer):
    rapport_activite = serializers.FileField(required=False, help_text="PDF, 10 Mo au plus.")
    bulletins_salaire = serializers.FileField(required=False, help_text="PDF, 10 Mo au plus.")
    bilan_final = serializers.FileField(required=False, help_text="PDF, 10 Mo au plus.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, data: dict) -> dict:
        labels = dict(DocumentKind.choices)
        problems = {}
        for kind in DocumentKind.values:
            if data.get(kind):
                try:
                    validate_pdf(data[kind], f"« {labels[kind]} »")
                except DjangoValidationError as error:
                    problems[kind] = error.messages
        if problems:
            raise serializers.ValidationError(problems)
        return data


class CommentSerializer(strict.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Commentaire."
    )


class SendBackSerializer(strict.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Ce que la structure doit corriger.")


class PaySerializer(strict.Serializer):
    reference = serializers.CharField(max_length=100, help_text="Référence de l'avis de paiement.")
    paid_on = serializers.DateField(help_text="Date du paiement.")


class PaymentSerializer(strict.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "tranche", "kind", "amount_cents", "reference", "paid_on", "corrects"]
        fields += ["reason", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_recorded_by(self, obj: Payment) -> str:
        return obj.recorded_by.get_full_name() if obj.recorded_by else obj.system


class CorrectSerializer(strict.Serializer):
    amount_cents = serializers.IntegerField(
        help_text="Montant signé de la correction, en centimes."
    )
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    paid_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class RecoverySerializer(strict.ModelSerializer):
    state = state_field(RecoveryState.choices)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur ce reversement."
    )

    class Meta:
        model = Recovery
        fields = ["id", "subvention", "structure", "amount_cents", "reason", "state"]
        fields += ["state_label", "claim_reference", "claimed_on", "recovered_on", "created_at"]
        fields += ["abilities"]
        read_only_fields = fields

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Recovery) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


class ClaimSerializer(strict.Serializer):
    reference = serializers.CharField(max_length=100, help_text="Référence du titre de recette.")
    claimed_on = serializers.DateField()


class SettleSerializer(strict.Serializer):
    recovered_on = serializers.DateField()


class PaymentOrderSerializer(strict.Serializer):
    structure = serializers.IntegerField(source="structure.pk")
    structure_name = serializers.CharField(source="structure.name")
    siret = serializers.CharField(source="structure.siret")
    total_cents = serializers.IntegerField()
    tranches = serializers.SerializerMethodField()

    @extend_schema_field(TrancheSerializer(many=True))
    def get_tranches(self, obj: PaymentOrder) -> list[dict]:
        # many=True makes a ListSerializer: its data is a list (the stubs say a dict).
        return cast(
            list[dict], TrancheSerializer(obj.tranches, many=True, context=self.context).data
        )


class NoticeImportRequestSerializer(strict.Serializer):
    fichier = serializers.FileField(
        help_text="Le CSV des avis de paiement, tel que l'envoie la Banque des Territoires : "
        "colonnes « Référence ordre » (CNFS-T…), « Référence paiement », « Date de paiement », "
        "« Montant (€) » et, facultative, « SIRET » ; séparateur ; ou , ; 10 Mo au plus."
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="true : l'aperçu de ce que ferait l'import, sans rien écrire (200). false : "
        "l'import (201), refusé en entier (400) si une ligne l'est.",
    )


class NoticeLineSerializer(strict.Serializer):
    ligne = serializers.IntegerField(help_text="Numéro de la ligne dans le fichier (en-tête : 1).")
    reference_ordre = serializers.CharField()
    reference_paiement = serializers.CharField()
    date_paiement = serializers.DateField(allow_null=True)
    montant_cents = serializers.IntegerField(allow_null=True)
    statut = serializers.ChoiceField(
        choices=list(notices.STATUS_LABELS.items()),
        help_text="nouveau : paiement enregistré (ou à enregistrer, en aperçu) ; deja_enregistre "
        "et doublon : ignorés ; ordre_inconnu, montant_different, refuse, invalide : refusent "
        "tout le fichier.",
    )
    message = serializers.CharField()
    tranche = serializers.IntegerField(allow_null=True)
    paiement = serializers.IntegerField(
        allow_null=True, help_text="Le paiement enregistré ou déjà présent ; null en aperçu."
    )


class NoticeImportSerializer(strict.ModelSerializer):
    by = serializers.SerializerMethodField(help_text="L'agent qui a importé le fichier.")
    report = NoticeLineSerializer(many=True, read_only=True)

    class Meta:
        model = PaymentNoticeImport
        fields = ["id", "by", "at", "source", "file_name", "file_sha256", "applied"]
        fields += ["lines_count", "recorded_count", "report"]
        read_only_fields = fields

    def get_by(self, obj: PaymentNoticeImport) -> str:
        return obj.by.get_full_name() or obj.by.email


class NoticeReportSerializer(strict.Serializer):
    dry_run = serializers.BooleanField()
    applied = serializers.BooleanField(help_text="Vrai : les paiements ont été enregistrés.")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Nombre de lignes par statut."
    )
    lines = NoticeLineSerializer(many=True)
    import_id = serializers.IntegerField(
        allow_null=True, help_text="L'entrée du journal des imports ; null pour un aperçu."
    )


class BudgetRowSerializer(strict.Serializer):
    key = serializers.CharField(help_text="Code du département, ou mois (AAAA-MM-01).")
    name = serializers.CharField()
    committed = serializers.IntegerField(help_text="Engagé : tranches non annulées (centimes).")
    paid = serializers.IntegerField(help_text="Payé, corrections comprises (centimes).")
    recovered = serializers.IntegerField(help_text="Reversements constatés (centimes).")
    forecast = serializers.IntegerField(help_text="Reste à payer (centimes).")
    training = serializers.IntegerField(help_text="Formation initiale, prise en charge à 100 %.")


class BudgetSerializer(strict.Serializer):
    perimetre = serializers.CharField()
    total = BudgetRowSerializer()
    departements = BudgetRowSerializer(many=True)
    months = BudgetRowSerializer(many=True)


# --- Views ---------------------------------------------------------------------------------------


TAG = "Conseillers numériques : subventions"


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les régimes de subvention",
        description="Montant par poste, durée et tranches de chaque régime. Toute personne "
        "connectée.",
        responses={200: RegimeSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter un régime",
        responses={200: RegimeSerializer, **errors(401, 404)},
    ),
)
class RegimeViewSet(viewsets.ReadOnlyModelViewSet):
    """Régimes de subvention : un régime utilisé par une convention ne change plus."""

    request: AuthenticatedRequest

    queryset = Regime.objects.prefetch_related("lines").order_by("created_at", "pk")
    serializer_class = RegimeSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = SUBSIDY_PROGRAMME
    collection_ability_map = {"create": "regime_create"}
    filter_backends = [KnownQueryParameters]
    pagination_class = None

    @extend_schema(
        summary="Créer un régime pour les conventions à venir",
        description="ANCT seulement. Les tranches en pourcentage (points de base) d'un total "
        "sont arrondies au centime inférieur, le reste allant à la dernière ; elles totalisent "
        "100 % pour chaque type de structure.",
        request=RegimeCreateSerializer,
        responses={201: RegimeSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(RegimeCreateSerializer, request)
        make_default = body.pop("is_default")
        with service_errors():
            regime = subsidy.regime_create(by=request.user, **body)
            if make_default:
                subsidy.regime_set_default(regime=regime, by=request.user)
        return Response(
            RegimeSerializer(self.get_queryset().get(pk=regime.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les conventions",
        description="ANCT : toutes ; préfecture : son territoire ; gestionnaire : ses structures.",
        responses={200: ConventionSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter une convention",
        responses={200: ConventionSerializer, **errors(401, 404)},
    ),
)
class ConventionViewSet(viewsets.ReadOnlyModelViewSet):
    """Conventions : le régime de leur signature s'applique à tous leurs postes."""

    request: AuthenticatedRequest

    queryset = Convention.objects.none()
    serializer_class = ConventionSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = SUBSIDY_PROGRAMME
    collection_ability_map = {"create": "convention_sign"}
    filter_backends = FILTER_BACKENDS
    filterset_class = ConventionFilter

    def get_queryset(self) -> QuerySet[Convention]:
        return (
            Convention.objects.visible_to(self.request.user)
            .select_related("structure", "regime")
            .prefetch_related("regime__lines")
            .order_by("-signed_on", "-pk")
        )

    @extend_schema(
        summary="Enregistrer la convention d'une candidature validée",
        description="ANCT seulement, sous le régime choisi. Sans cela, la convention est établie "
        "sous le régime par défaut à la validation du premier recrutement.",
        request=ConventionSignSerializer,
        responses={201: ConventionSerializer, **errors(400, 401, 403)},
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(ConventionSignSerializer, request)
        with service_errors():
            convention = subsidy.convention_sign(by=request.user, **body)
        data = ConventionSerializer(self.get_queryset().get(pk=convention.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les subventions des postes",
        description="L'échéancier de chaque poste, qui suit ses titulaires successifs, avec les "
        "droits acquis par les mois de service.",
        responses={200: SubventionSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter la subvention d'un poste",
        responses={200: SubventionSerializer, **errors(401, 404)},
    ),
)
class SubventionViewSet(viewsets.ReadOnlyModelViewSet):
    request: AuthenticatedRequest
    queryset = Subvention.objects.none()
    serializer_class = SubventionSerializer
    filter_backends = FILTER_BACKENDS
    filterset_class = SubventionFilter

    def get_queryset(self) -> QuerySet[Subvention]:
        tranches = Tranche.objects.select_related("subvention__structure").order_by("rank")
        return (
            subsidy_selectors.with_paid(Subvention.objects.visible_to(self.request.user))
            .select_related("holder__candidat", "holder__contract")
            .prefetch_related(Prefetch("tranches", queryset=tranches))
            .order_by("pk")
        )


TRANCHE_ACTION = {200: TrancheDetailSerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les tranches",
        description="Dans votre périmètre ; `abilities` dit ce que vous pouvez faire de chacune.",
        responses={200: TrancheSerializer(many=True), **errors(401)},
    ),
    retrieve=extend_schema(
        summary="Consulter une tranche et son historique",
        responses={200: TrancheDetailSerializer, **errors(401, 404)},
    ),
)
class TrancheViewSet(viewsets.ReadOnlyModelViewSet):
    """Tranches : prévue → due (ou bloquée sous le SMIC) → justificatif déposé → approuvée ou
    à corriger → payée ; annulée quand un poste se clôt avant qu'elle soit acquise."""

    request: AuthenticatedRequest

    queryset = Tranche.objects.none()
    serializer_class = TrancheSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    # Every post has three tranches: keyset pages (index on due_on, id) cost the same at the
    # last page as at the first, whatever the number of posts.
    pagination_class = KeysetPagination
    filter_backends = FILTER_BACKENDS
    filterset_class = TrancheFilter
    # Paying again (same reference and date) answers the payment already recorded: the service
    # decides, under its row lock, between that, a first payment and a refusal.
    ability_map = {"justify": "submit", "send_back": "send_back", "pay": "view"}
    ability_refusal = CANNOT_ACT

    def get_serializer_class(self):
        return TrancheSerializer if self.action == "list" else TrancheDetailSerializer

    def get_queryset(self) -> QuerySet[Tranche]:
        tranches = subsidy_selectors.tranche_page(Tranche.objects.visible_to(self.request.user))
        if self.action != "list":
            tranches = tranches.prefetch_related(
                Prefetch("transitions", queryset=SubsidyTransition.objects.select_related("by"))
            )
        return tranches.order_by("due_on", "pk")

    def _read(self, pk: int) -> Response:
        tranche = self.get_queryset().get(pk=pk)
        return Response(TrancheDetailSerializer(tranche, context={"request": self.request}).data)

    @extend_schema(
        summary="Déposer le justificatif",
        description="Gestionnaire de la structure, sur une tranche due ou à corriger qui demande "
        "un justificatif : une pièce PDF (10 Mo au plus) par document de `required_documents`.",
        request={"multipart/form-data": JustifySerializer},
        responses=TRANCHE_ACTION,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def justify(self, request: AuthenticatedRequest, pk: str) -> Response:
        tranche = self.get_object()
        body = valid_body(JustifySerializer, request)
        documents = {kind: body[kind] for kind in DocumentKind.values if body.get(kind)}
        with service_errors():
            subsidy.tranche_submit(
                tranche=tranche, documents=documents, comment=body["comment"], by=request.user
            )
        return self._read(tranche.pk)

    @extend_schema(
        summary="Approuver la tranche",
        description="ANCT : un justificatif déposé, ou une tranche due qui n'en demande pas.",
        request=CommentSerializer,
        responses=TRANCHE_ACTION,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def approve(self, request: AuthenticatedRequest, pk: str) -> Response:
        tranche = self.get_object()
        body = valid_body(CommentSerializer, request)
        with service_errors():
            subsidy.tranche_approve(tranche=tranche, comment=body["comment"], by=request.user)
        return self._read(tranche.pk)

    @extend_schema(
        summary="Renvoyer le justificatif pour correction",
        description="ANCT, en disant ce qu'il faut corriger.",
        request=SendBackSerializer,
        responses=TRANCHE_ACTION,
    )
    @action(detail=True, methods=["post"], url_path="send-back", parser_classes=[JSONParser])
    def send_back(self, request: AuthenticatedRequest, pk: str) -> Response:
        tranche = self.get_object()
        body = valid_body(SendBackSerializer, request)
        with service_errors():
            subsidy.tranche_send_back(tranche=tranche, reason=body["reason"], by=request.user)
        return self._read(tranche.pk)

    @extend_schema(
        summary="Enregistrer le paiement de la tranche",
        description="ANCT, sur une tranche approuvée d'un poste non vacant. Une tranche se paie "
        "une fois : le même paiement renvoyé (même référence, même date) rend le paiement déjà "
        "enregistré ; tout autre est refusé.",
        request=PaySerializer,
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(PaymentSerializer, description="Le paiement déjà enregistré."),
            **errors(400, 401, 403, 404),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def pay(self, request: AuthenticatedRequest, pk: str) -> Response:
        tranche = self.get_object()
        body = valid_body(PaySerializer, request)
        with service_errors():
            payment, created = subsidy.payment_record_once(tranche=tranche, by=request.user, **body)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(PaymentSerializer(payment).data, status=code)


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les paiements",
        description="Faits comptables : jamais modifiés ; une correction est une nouvelle ligne.",
        responses={200: PaymentSerializer(many=True), **errors(401)},
    ),
)
class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    filter_backends = FILTER_BACKENDS
    filterset_class = PaymentFilter

    def get_queryset(self) -> QuerySet[Payment]:
        return (
            Payment.objects.visible_to(self.request.user)
            .select_related("recorded_by")
            .order_by("-paid_on", "-pk")
        )

    @extend_schema(
        summary="Corriger un paiement",
        description="ANCT seulement : une nouvelle ligne signée ; le total payé de la tranche "
        "reste entre 0 et son montant.",
        request=CorrectSerializer,
        responses={201: PaymentSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: AuthenticatedRequest, pk: str) -> Response:
        payment = get_object_or_404(self.get_queryset(), pk=pk)
        body = valid_body(CorrectSerializer, request)
        with service_errors():
            correction = subsidy.payment_correct(payment=payment, by=request.user, **body)
        return Response(PaymentSerializer(correction).data, status=status.HTTP_201_CREATED)


RECOVERY_ACTION = {200: RecoverySerializer, **errors(400, 401, 403, 404)}


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Lister les reversements",
        description="Trop-perçus constatés à la clôture d'un poste, à reverser par la structure.",
        responses={200: RecoverySerializer(many=True), **errors(401)},
    ),
)
class RecoveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    request: AuthenticatedRequest
    queryset = Recovery.objects.none()
    serializer_class = RecoverySerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    filter_backends = FILTER_BACKENDS
    filterset_class = RecoveryFilter
    ability_refusal = CANNOT_ACT

    def get_queryset(self) -> QuerySet[Recovery]:
        return Recovery.objects.visible_to(self.request.user).select_related("structure")

    def _read(self, recovery: Recovery) -> Response:
        fresh = self.get_queryset().get(pk=recovery.pk)
        return Response(RecoverySerializer(fresh, context={"request": self.request}).data)

    @extend_schema(
        summary="Enregistrer le titre de recette",
        description="ANCT, sur un reversement à réclamer.",
        request=ClaimSerializer,
        responses=RECOVERY_ACTION,
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: AuthenticatedRequest, pk: str) -> Response:
        recovery = self.get_object()
        body = valid_body(ClaimSerializer, request)
        with service_errors():
            subsidy.recovery_claim(recovery=recovery, by=request.user, **body)
        return self._read(recovery)

    @extend_schema(
        summary="Constater le recouvrement",
        description="ANCT, sur un reversement réclamé.",
        request=SettleSerializer,
        responses=RECOVERY_ACTION,
    )
    @action(detail=True, methods=["post"])
    def settle(self, request: AuthenticatedRequest, pk: str) -> Response:
        recovery = self.get_object()
        body = valid_body(SettleSerializer, request)
        with service_errors():
            subsidy.recovery_settle(recovery=recovery, by=request.user, **body)
        return self._read(recovery)


@extend_schema(tags=[TAG])
class PaymentOrderViewSet(viewsets.GenericViewSet):
    """Ordres de paiement pour la Banque des Territoires."""

    request: AuthenticatedRequest

    queryset = Tranche.objects.none()
    serializer_class = PaymentOrderSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = SUBSIDY_PROGRAMME
    collection_ability_map = {"list": "payment_orders_view"}
    filter_backends = [KnownQueryParameters]
    pagination_class = None

    @extend_schema(
        summary="Ordres de paiement par structure",
        description="ANCT seulement : les tranches approuvées des postes non vacants, regroupées "
        "par structure, avec la référence d'ordre de chaque tranche.",
        responses={200: PaymentOrderSerializer(many=True), **errors(401, 403)},
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        check_query_parameters(request, ())
        orders = subsidy_selectors.payment_orders()
        return Response(
            PaymentOrderSerializer(orders, many=True, context={"request": request}).data
        )


@extend_schema(tags=[TAG])
class BudgetViewSet(viewsets.GenericViewSet):
    """Budget des subventions."""

    request: AuthenticatedRequest

    queryset = Tranche.objects.none()
    serializer_class = BudgetSerializer
    schema = SingleObjectSchema()  # one report, not a list of rows
    filter_backends = [KnownQueryParameters]
    pagination_class = None

    @extend_schema(
        summary="Budget des subventions",
        description="ANCT : la France entière ; préfecture : son territoire. Engagé, payé, "
        "reversé, reste à payer et formation initiale, par département et par mois, en centimes.",
        responses={200: BudgetSerializer, **errors(401, 403)},
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        check_query_parameters(request, ())
        scope = dashboard_scope(request.user)
        if not SUBSIDY_PROGRAMME.get_abilities(request.user)["budget_view"] or scope is None:
            raise exceptions.PermissionDenied(
                "Le budget des subventions est réservé à l'ANCT et aux préfectures."
            )
        figures = subsidy_selectors.budget(scope.departement_codes, timezone.localdate())
        body = {
            "perimetre": scope.total_name,
            "total": figures.total,
            "departements": figures.departements,
            "months": figures.months,
        }
        return Response(BudgetSerializer(body).data)


@extend_schema(tags=[TAG])
@extend_schema_view(
    list=extend_schema(
        summary="Journal des imports d'avis de paiement",
        description="ANCT seulement : chaque import (les aperçus exceptés), appliqué ou refusé, "
        "avec qui l'a fait et ce qu'il a changé ligne par ligne. En ajout seul.",
        responses={200: NoticeImportSerializer(many=True), **errors(401, 403)},
    ),
)
class PaymentNoticeImportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Le retour de la Banque des Territoires : ses avis de paiement, rapprochés des ordres."""

    request: AuthenticatedRequest
    queryset = PaymentNoticeImport.objects.none()
    serializer_class = NoticeImportSerializer
    permission_classes = [permissions.IsAuthenticated, HasAbility]
    collection_abilities = SUBSIDY_PROGRAMME
    collection_ability_map = {"list": "payment_record", "create": "payment_record"}
    filter_backends = [KnownQueryParameters]
    parser_classes = [MultiPartParser, FormParser]  # the import is a file upload

    def get_queryset(self) -> QuerySet[PaymentNoticeImport]:
        return PaymentNoticeImport.objects.select_related("by").order_by("-at", "-pk")

    @extend_schema(
        summary="Importer les avis de paiement de la Banque des Territoires",
        description="ANCT seulement. Chaque avis enregistre le paiement de sa tranche une fois, "
        "par la référence d'ordre de l'export (`order_reference`), au montant de l'ordre. Tout "
        "ou rien : une ligne refusée (ordre inconnu, montant différent, tranche non payable ou "
        "payée autrement, ligne illisible) et rien n'est écrit (400, chaque ligne dans "
        "`details.fichier`). Un avis déjà enregistré (même référence, même date) est ignoré : "
        "réimporter le même fichier n'enregistre rien deux fois. `dry_run=true` montre "
        "d'abord ce que ferait l'import.",
        request={"multipart/form-data": NoticeImportRequestSerializer},
        responses={
            201: NoticeReportSerializer,
            200: OpenApiResponse(NoticeReportSerializer, description="L'aperçu (dry_run)."),
            **errors(400, 401, 403),
        },
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        body = valid_body(NoticeImportRequestSerializer, request)
        upload = body["fichier"]
        with service_errors():
            report, log = subsidy.payment_notices_import(
                content=upload.read(),
                file_name=upload.name or "avis.csv",
                dry_run=body["dry_run"],
                source=NoticeImportSource.API,
                by=request.user,
            )
        if not body["dry_run"] and not report.applied:
            raise exceptions.ValidationError(
                {"fichier": [f"Ligne {ln.number} : {ln.message}" for ln in report.errors]}
            )
        data = {
            "dry_run": body["dry_run"],
            "applied": report.applied,
            "counts": report.counts,
            "lines": [line.as_dict() for line in report.lines],
            "import_id": log.pk if log else None,
        }
        code = status.HTTP_200_OK if body["dry_run"] else status.HTTP_201_CREATED
        return Response(NoticeReportSerializer(data).data, status=code)


router = SimpleRouter()
router.register("regimes", RegimeViewSet, basename="regime")
router.register("conventions", ConventionViewSet, basename="convention")
router.register("subventions", SubventionViewSet, basename="subvention")
router.register("tranches", TrancheViewSet, basename="tranche")
router.register("paiements", PaymentViewSet, basename="paiement")
router.register("reversements", RecoveryViewSet, basename="reversement")
router.register("ordres-de-paiement", PaymentOrderViewSet, basename="ordre-de-paiement")
router.register("budget", BudgetViewSet, basename="budget")
router.register("avis-de-paiement", PaymentNoticeImportViewSet, basename="avis-de-paiement")
router.register("reconventionnements", RenewalViewSet, basename="reconventionnement")

urlpatterns = router.urls
