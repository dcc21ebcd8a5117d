"""Serializers of the conseillers API: what is read, and the bodies of each explicit action.

States are read-only everywhere: a state changes only through an action endpoint, which calls a
service. The transition logs carry states as plain strings beside their French labels, so that
each choice set has one name in the OpenAPI schema.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import models
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from conseillers.api.links import link_schema, links_of
from conseillers.apportionment import Method
from conseillers.models import (
    Candidat,
    Candidature,
    CandidatureTransition,
    Contract,
    ContractType,
    Decision,
    Envelope,
    Match,
    MatchTransition,
    Post,
    PostHolding,
    PostKind,
    PrefectureOpinion,
    Rupture,
    RuptureMotive,
    SmicRate,
    Training,
)
from core.api import strict
from core.models import Departement, Structure, User

ABILITIES_SCHEMA = {"type": "object", "additionalProperties": {"type": "boolean"}}


def person_name(user: User) -> str:
    """A person's name for the logs, never the e-mail address of an agent."""
    return user.get_full_name() or "Agent sans nom"


def fraction_to_decimal(value: Fraction | None, places: int) -> Decimal | None:
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(exponent, ROUND_HALF_UP)


class ErrorSerializer(strict.Serializer):
    """The one error body of the API (see core.api.errors)."""

    code = serializers.CharField(help_text="Code stable de l'erreur (invalid, not_found…).")
    message = serializers.CharField(help_text="Message en français, affichable tel quel.")
    details = serializers.DictField(
        help_text="Pour une erreur de validation : les messages par nom de champ."
    )


class AbilitiesMixin(strict.Serializer):
    abilities = serializers.SerializerMethodField(
        help_text="Ce que la personne connectée peut faire sur ce dossier, action par action."
    )

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Candidature | Match) -> dict[str, bool]:
        return obj.get_abilities(self.context["request"].user)


# --- Transition logs -----------------------------------------------------------------------------


class TransitionSerializer(strict.Serializer):
    transition = serializers.CharField(read_only=True, help_text="Nom de la transition.")
    from_state = serializers.CharField(read_only=True, help_text="État de départ (code).")
    from_state_label = serializers.CharField(
        source="get_from_state_display", read_only=True, help_text="État de départ."
    )
    to_state = serializers.CharField(read_only=True, help_text="État d'arrivée (code).")
    to_state_label = serializers.CharField(
        source="get_to_state_display", read_only=True, help_text="État d'arrivée."
    )
    by = serializers.SerializerMethodField(help_text="Personne qui a fait le changement.")
    reason = serializers.CharField(read_only=True, help_text="Motif indiqué.")
    at = serializers.DateTimeField(read_only=True, help_text="Date et heure du changement.")

    def get_by(self, obj: CandidatureTransition | MatchTransition) -> str:
        # The programme's transitions are always a person's; the log's shape allows a system task.
        return person_name(obj.by) if obj.by is not None else obj.actor_label


# --- Applications --------------------------------------------------------------------------------


class OpinionSerializer(strict.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Agent de préfecture, auteur de l'avis.")
    transfer_to_name = serializers.CharField(
        source="transfer_to.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PrefectureOpinion
        fields = ["id", "verdict", "comment", "transfer_to", "transfer_to_name", "author"]
        fields += ["created_at"]
        read_only_fields = fields

    def get_author(self, obj: PrefectureOpinion) -> str:
        return person_name(obj.author)


class CandidatureSerializer(AbilitiesMixin, strict.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    departement = serializers.CharField(source="structure.departement_id", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    quota = serializers.IntegerField(
        read_only=True, help_text="Quota en vigueur : postes de la dernière décision positive."
    )
    is_duplicate = serializers.SerializerMethodField(
        help_text="Vrai si une candidature antérieure porte le même SIRET (voir duplicate_of)."
    )
    opinion = serializers.SerializerMethodField(help_text="L'avis de la préfecture en vigueur.")
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Candidature
        fields = [
            "id",
            "structure",
            "structure_name",
            "departement",
            "siret",
            "contact_name",
            "contact_email",
            "contact_phone",
            "posts_wished",
            "motivation",
            "start_date",
            "zrr",
            "qpv",
            "france_services",
            "state",
            "state_label",
            "state_changed_at",
            "created_at",
            "quota",
            "duplicate_of",
            "is_duplicate",
            "opinion",
            "transitions",
            "abilities",
        ]
        read_only_fields = fields

    def get_is_duplicate(self, obj: Candidature) -> bool:
        return obj.duplicate_of_id is not None

    @extend_schema_field(OpinionSerializer(allow_null=True))
    def get_opinion(self, obj: Candidature) -> dict | None:
        # `opinions_latest_first` is prefetched by the view: no query per row.
        opinions = obj.opinions_latest_first  # type: ignore[attr-defined]
        return OpinionSerializer(opinions[0]).data if opinions else None


class CandidatureSubmitSerializer(strict.ModelSerializer):
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(),
        help_text="La structure candidate (vous en êtes gestionnaire).",
    )

    class Meta:
        model = Candidature
        fields = [
            "structure",
            "contact_name",
            "contact_email",
            "contact_phone",
            "posts_wished",
            "motivation",
            "start_date",
            "zrr",
            "qpv",
            "france_services",
        ]


class ReasonSerializer(strict.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Motif : obligatoire pour refuser, annuler ou signaler un doublon.",
    )


class VisibleStructureField(serializers.PrimaryKeyRelatedField):
    """A structure the person can see: a préfecture proposes transfers within its territory."""

    def get_queryset(self):
        return Structure.objects.visible_to(self.context["request"].user)


class OpinionGiveSerializer(strict.ModelSerializer):
    transfer_to = VisibleStructureField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Structure à qui transférer les postes, le cas échéant.",
    )

    class Meta:
        model = PrefectureOpinion
        fields = ["verdict", "comment", "transfer_to"]


POSTS_GRANTED_HELP = (
    "Quota en vigueur de cette candidature après cette décision : le nombre total de postes "
    "qu'elle accorde à la candidature (un avenant donne le nouveau total, pas l'écart). Le quota "
    "de la structure est la somme des quotas en vigueur de ses candidatures validées."
)


class DecisionSerializer(strict.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    posts_granted = serializers.IntegerField(read_only=True, help_text=POSTS_GRANTED_HELP)
    author = serializers.SerializerMethodField(help_text="Agent de l'ANCT, auteur de la décision.")

    class Meta:
        model = Decision
        fields = [
            "id",
            "kind",
            "kind_label",
            "posts_granted",
            "coordinator_posts_granted",
            "number",
            "decided_on",
            "priority",
            "observations",
            "motive",
            "envelope_override",
            "author",
            "created_at",
        ]
        read_only_fields = fields

    def get_author(self, obj: Decision) -> str:
        return person_name(obj.author)


class DecisionRecordSerializer(strict.ModelSerializer):
    posts_granted = serializers.IntegerField(min_value=0, help_text=POSTS_GRANTED_HELP)
    coordinator_posts_granted = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Parmi `posts_granted`, les postes de conseillers coordinateurs (le nouveau "
        "total). Absent ou null : inchangé (aucun pour une décision initiale).",
    )

    class Meta:
        model = Decision
        fields = [
            "posts_granted",
            "coordinator_posts_granted",
            "number",
            "decided_on",
            "priority",
            "observations",
            "motive",
            "envelope_override",
        ]


# --- Envelopes -----------------------------------------------------------------------------------


class EnvelopeSerializer(strict.ModelSerializer):
    departement_name = serializers.CharField(source="departement.name", read_only=True)
    author = serializers.SerializerMethodField(help_text="Agent de l'ANCT, auteur du changement.")

    class Meta:
        model = Envelope
        fields = ["id", "departement", "departement_name", "posts", "reason", "author"]
        fields += ["created_at"]
        read_only_fields = fields

    def get_author(self, obj: Envelope) -> str:
        return person_name(obj.author)


class EnvelopeInForceSerializer(EnvelopeSerializer):
    granted = serializers.IntegerField(
        read_only=True,
        help_text="Postes accordés aux structures du département (quotas en vigueur).",
    )

    class Meta(EnvelopeSerializer.Meta):
        fields = [*EnvelopeSerializer.Meta.fields, "granted"]
        read_only_fields = fields


class EnvelopeHistorySerializer(strict.Serializer):
    departement = serializers.CharField(help_text="Code du département.")
    departement_name = serializers.CharField()
    posts = serializers.IntegerField(
        allow_null=True, help_text="Enveloppe en vigueur (null si aucune n'a été fixée)."
    )
    granted = serializers.IntegerField(help_text="Postes accordés aux structures du département.")
    history = EnvelopeSerializer(
        many=True, help_text="Les changements, du plus récent au plus ancien."
    )


class EnvelopeSetSerializer(strict.ModelSerializer):
    departement = serializers.PrimaryKeyRelatedField(queryset=Departement.objects.all())

    class Meta:
        model = Envelope
        fields = ["departement", "posts", "reason"]


class Indicator(models.TextChoices):
    """The indicators an apportionment can follow; others will be loadable later."""

    POPULATION = "population", "Population légale"


class ProposalRequestSerializer(strict.Serializer):
    total = serializers.IntegerField(
        min_value=0, max_value=100_000, help_text="Nombre total de postes à répartir."
    )
    method = serializers.ChoiceField(
        choices=[(method.value, method.label) for method in Method],
        default=Method.HAMILTON.value,
        help_text="Méthode de répartition.",
    )
    floor = serializers.IntegerField(
        min_value=0, default=0, help_text="Plancher : postes minimum par département."
    )
    indicator = serializers.ChoiceField(
        choices=Indicator.choices,
        default=Indicator.POPULATION,
        help_text="Indicateur de répartition (population par défaut).",
    )


class RedistributionRequestSerializer(strict.Serializer):
    total = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text="Postes rendus ou inutilisés à redistribuer."
    )


class RedistributionRowSerializer(strict.Serializer):
    departement = serializers.CharField()
    demand = serializers.IntegerField(help_text="Postes demandés et non accordés.")
    current = serializers.IntegerField(help_text="Enveloppe en vigueur.")
    extra = serializers.IntegerField(help_text="Postes ajoutés par la proposition.")
    proposed = serializers.IntegerField(help_text="Enveloppe proposée.")


class ProposalRowSerializer(strict.Serializer):
    departement = serializers.CharField()
    departement_name = serializers.CharField()
    current = serializers.IntegerField(help_text="Enveloppe en vigueur (0 si aucune).")
    proposed = serializers.IntegerField(help_text="Enveloppe proposée.")
    difference = serializers.IntegerField(help_text="Proposée moins en vigueur.")
    quota = serializers.DecimalField(
        max_digits=12, decimal_places=4, help_text="Part exacte selon l'indicateur."
    )
    deviation = serializers.DecimalField(
        max_digits=12, decimal_places=4, help_text="Écart de la proposition à la part exacte."
    )


class ProposalSerializer(strict.Serializer):
    method = serializers.ChoiceField(choices=[(method.value, method.label) for method in Method])
    method_label = serializers.CharField()
    indicator = serializers.ChoiceField(choices=Indicator.choices)
    floor = serializers.IntegerField()
    current_total = serializers.IntegerField(help_text="Total des enveloppes en vigueur.")
    proposed_total = serializers.IntegerField(help_text="Total proposé (égal au total demandé).")
    current_index = serializers.DecimalField(
        max_digits=8,
        decimal_places=6,
        allow_null=True,
        help_text="Indice de Loosemore-Hanby des enveloppes en vigueur (0 : proportionnel).",
    )
    proposed_index = serializers.DecimalField(
        max_digits=8,
        decimal_places=6,
        allow_null=True,
        help_text="Indice de Loosemore-Hanby de la proposition.",
    )
    rows = ProposalRowSerializer(many=True)


class ApplySerializer(strict.Serializer):
    allocation = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        allow_empty=False,
        help_text="Postes par code de département : tout ou partie d'une proposition.",
    )
    reason = serializers.CharField(max_length=500, help_text="Motif des nouvelles enveloppes.")

    def validate_allocation(self, allocation: dict[str, int]) -> dict[str, int]:
        known = set(Departement.objects.filter(code__in=allocation).values_list("code", flat=True))
        if unknown := sorted(set(allocation) - known):
            raise serializers.ValidationError(f"Départements inconnus : {', '.join(unknown)}.")
        return allocation


class ApplyResultSerializer(strict.Serializer):
    created = EnvelopeSerializer(
        many=True, help_text="Les nouvelles enveloppes : une par département qui change."
    )
    unchanged = serializers.ListField(
        child=serializers.CharField(),
        help_text="Départements dont l'enveloppe proposée est déjà celle en vigueur.",
    )


# --- Candidates and matches ----------------------------------------------------------------------


class CandidatRegisterSerializer(strict.ModelSerializer):
    departements = serializers.PrimaryKeyRelatedField(
        queryset=Departement.objects.all(),
        many=True,
        allow_empty=False,
        help_text="Codes des départements où le candidat peut travailler.",
    )

    class Meta:
        model = Candidat
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "situation",
            "available_from",
            "departements",
            "commune",
            "max_distance_km",
            "pix_level",
        ]


class CandidatSerializer(strict.ModelSerializer):
    departements = serializers.PrimaryKeyRelatedField[Departement](many=True, read_only=True)

    class Meta:
        model = Candidat
        fields = [
            "id",
            "first_name",
            "last_name",
            "situation",
            "available_from",
            "departements",
            "commune",
            "max_distance_km",
            "pix_level",
            "created_at",
        ]
        read_only_fields = fields


class CandidatForStructureSerializer(CandidatSerializer):
    local = serializers.BooleanField(
        read_only=True, help_text="Peut travailler dans le département de la structure."
    )
    distance_km = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="Distance entre la commune du candidat et celle de la structure (km, à vol "
        "d'oiseau) ; vide si l'une des deux n'est pas connue.",
    )
    match_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Mise en relation avec la structure, s'il y en a une.",
    )
    match_state = serializers.CharField(
        read_only=True, allow_null=True, help_text="État de cette mise en relation (code)."
    )

    class Meta(CandidatSerializer.Meta):
        fields = [
            *CandidatSerializer.Meta.fields,
            "local",
            "distance_km",
            "match_id",
            "match_state",
        ]
        read_only_fields = fields


class InterestSerializer(strict.Serializer):
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(), help_text="Votre structure (vous en êtes gestionnaire)."
    )
    interested = serializers.BooleanField(
        default=True, help_text="Vrai : intéressée ; faux : non intéressée."
    )


class MatchCandidatSerializer(strict.ModelSerializer):
    """The candidate as the structure sees them once in relation: with contact details."""

    cv_url = serializers.SerializerMethodField(
        help_text="Téléchargement du CV (PDF), réservé à qui peut le lire ; null sans CV."
    )

    class Meta:
        model = Candidat
        fields = ["id", "first_name", "last_name", "email", "phone", "pix_level", "available_from"]
        fields += ["cv_url"]
        read_only_fields = fields

    def get_cv_url(self, obj: Candidat) -> str | None:
        request = self.context["request"]
        if not obj.get_abilities(request.user)["download_cv"]:
            return None
        return request.build_absolute_uri(reverse("conseillers:candidat-cv", args=[obj.pk]))


class ContractSerializer(strict.ModelSerializer):
    contract_type = serializers.ChoiceField(
        source="type", choices=ContractType.choices, read_only=True
    )

    class Meta:
        model = Contract
        fields = [
            "contract_type",
            "start_date",
            "end_date",
            "gross_monthly_salary",
            "weekly_hours",
            "created_at",
        ]
        read_only_fields = fields


class RuptureSerializer(strict.ModelSerializer):
    motive_label = serializers.CharField(source="get_motive_display", read_only=True)

    class Meta:
        model = Rupture
        fields = ["rupture_date", "motive", "motive_label", "declared_at"]
        read_only_fields = fields


MATCH_LINKS = link_schema(
    structure="La structure.",
    poste="Le poste que le recrutement a ouvert ou repris (absent avant le recrutement).",
    subventions="Les subventions de ce poste (liste filtrée) ; l'échéancier et ses tranches.",
    tranches="Les tranches des subventions de ce poste (liste filtrée).",
)


def api_url(request, name: str, *args, query: str = "") -> str:
    return request.build_absolute_uri(reverse(name, args=args) + (f"?{query}" if query else ""))


class MatchSerializer(AbilitiesMixin, strict.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    departement = serializers.CharField(source="structure.departement_id", read_only=True)
    candidat = MatchCandidatSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    contract = ContractSerializer(
        read_only=True, allow_null=True, help_text="Le contrat saisi au recrutement ; null avant."
    )
    rupture = RuptureSerializer(read_only=True, allow_null=True)
    post = serializers.SerializerMethodField(
        help_text="Identifiant du poste que ce recrutement occupe ou a occupé ; null avant."
    )
    transitions = TransitionSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "id",
            "structure",
            "structure_name",
            "departement",
            "candidat",
            "state",
            "state_label",
            "state_changed_at",
            "created_at",
            "contract",
            "rupture",
            "post",
            "transitions",
            "abilities",
            "links",
        ]
        read_only_fields = fields

    def get_post(self, obj: Match) -> int | None:
        holding = getattr(obj, "holding", None)  # select_related by the view
        return holding.post_id if holding is not None else None

    @extend_schema_field(MATCH_LINKS)
    def get_links(self, obj: Match) -> dict[str, str]:
        request = self.context["request"]
        found = {"structure": api_url(request, "api:structure-detail", obj.structure_id)}
        post = self.get_post(obj)
        if post is not None:
            found["poste"] = api_url(request, "api-conseillers:poste-detail", post)
            found.update(links_of("post", post, request))
        return found


class PostHoldingSerializer(strict.ModelSerializer):
    candidat_name = serializers.CharField(source="match.candidat.__str__", read_only=True)

    class Meta:
        model = PostHolding
        fields = ["match", "candidat_name", "started_on", "ended_on"]
        read_only_fields = fields


POST_LINKS = link_schema(
    structure="La structure.",
    titulaire="La mise en relation du titulaire actuel (absent si le poste est vacant).",
    subventions="Les subventions de ce poste (liste filtrée) : l'échéancier et ses tranches.",
    tranches="Les tranches des subventions de ce poste (liste filtrée).",
)


class PostSerializer(strict.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)
    departement = serializers.CharField(source="structure.departement_id", read_only=True)
    holder = serializers.IntegerField(
        source="holder_id",
        read_only=True,
        allow_null=True,
        help_text="Mise en relation du titulaire actuel ; null si le poste est vacant ou rendu.",
    )
    holders = PostHoldingSerializer(
        source="holdings",
        many=True,
        read_only=True,
        help_text="Chaque conseiller qui a occupé le poste, du premier au dernier.",
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "structure", "structure_name", "departement", "kind", "holder", "holders"]
        fields += ["vacant_since", "flagged_at", "returned_on", "created_at", "links"]
        read_only_fields = fields

    @extend_schema_field(POST_LINKS)
    def get_links(self, obj: Post) -> dict[str, str]:
        request = self.context["request"]
        found = {"structure": api_url(request, "api:structure-detail", obj.structure_id)}
        if obj.holder_id is not None:
            found["titulaire"] = api_url(
                request, "api-conseillers:mise-en-relation-detail", obj.holder_id
            )
        found.update(links_of("post", obj.pk, request))
        return found


class RecruitSerializer(strict.Serializer):
    post_kind = serializers.ChoiceField(
        choices=PostKind.choices,
        default=PostKind.CONSEILLER,
        help_text="Nature du poste que le recrutement occupe : un poste de coordinateur exige "
        "un poste de coordinateur libre parmi ceux accordés à la structure.",
    )
    contract_type = serializers.ChoiceField(choices=ContractType.choices)
    start_date = serializers.DateField(label="date de début")
    end_date = serializers.DateField(
        label="date de fin",
        required=False,
        allow_null=True,
        default=None,
        help_text="Vide pour un CDI.",
    )
    gross_monthly_salary = serializers.DecimalField(
        label="salaire brut mensuel (€)", max_digits=8, decimal_places=2, min_value=Decimal(0)
    )
    weekly_hours = serializers.DecimalField(
        label="durée hebdomadaire (heures)",
        max_digits=4,
        decimal_places=2,
        min_value=Decimal(1),
        max_value=Decimal(48),
    )

    def validate(self, attrs: dict) -> dict:
        # The model's check constraint lets a NULL end date through (SQL: NULL > date is unknown).
        if attrs["contract_type"] != ContractType.CDI and attrs.get("end_date") is None:
            raise serializers.ValidationError(
                {"end_date": "Indiquez la date de fin : seul un CDI n'en a pas."}
            )
        return attrs


class RuptureDeclareSerializer(strict.Serializer):
    rupture_date = serializers.DateField(label="date de rupture")
    motive = serializers.ChoiceField(label="motif", choices=RuptureMotive.choices)


class SmicRateSerializer(strict.ModelSerializer):
    monthly_full_time = serializers.SerializerMethodField(
        help_text="SMIC brut mensuel pour 35 h par semaine."
    )

    class Meta:
        model = SmicRate
        fields = ["valid_from", "hourly_gross", "monthly_full_time"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=2))
    def get_monthly_full_time(self, obj: SmicRate) -> str:
        return f"{obj.monthly_minimum(Decimal(35)):.2f}"


class TrainingSerializer(strict.ModelSerializer):
    """Initial training (105 to 420 hours) and certification; its cost is paid 100 % by the
    State and shows as its own budget line."""

    class Meta:
        model = Training
        fields = [
            "id",
            "candidat",
            "initial_hours",
            "started_on",
            "ended_on",
            "ccp1_status",
            "ccp1_date",
            "pix_status",
            "pix_date",
            "cost",
        ]
