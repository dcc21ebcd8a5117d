"""The subsidy of the posts: regimes, conventions, each post's schedule of tranches, justifications,
payments and recoveries.

Money is in integer cents (`*_cents`); the arithmetic lives in `conseillers.subsidy.math`. The
lifecycles are declared here with django-fsm; `conseillers.subsidy.services` is the only caller of
the transitions, and every change writes a `SubsidyTransition` row (append-only in the database).

The tables keep the names they had when these models belonged to the conseillers app
(`db_table`): the database triggers and the data stayed where they were when the app moved.
"""

from __future__ import annotations

import datetime
from typing import ClassVar, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from conseillers.models.programme import Candidature, Match, Post
from conseillers.subsidy import math as subsidy_math
from core.files import random_name, uploads_storage
from core.models import Departement, Role, Structure, User
from core.transitions import TransitionLog

# --- Regimes -------------------------------------------------------------------------------------


class Audience(models.TextChoices):
    ALL = "toutes", "Toutes les structures"
    PUBLIC = "publique", "Structures publiques"
    PRIVATE = "privee", "Structures privées"


class Trigger(models.TextChoices):
    RECRUITMENT = "recrutement_valide", "Validation du recrutement"
    MONTH = "mois_atteint", "Mois de service atteint"
    JUSTIFICATION = "justificatif_accepte", "Justificatif accepté"


class JustificationKind(models.TextChoices):
    NONE = "aucun", "Aucun justificatif"
    ACTIVITY = "activite", "Justificatif d'activité"
    FINAL = "final", "Justificatif final"


class DocumentKind(models.TextChoices):
    ACTIVITY_REPORT = "rapport_activite", "Rapport d'activité"
    PAYSLIPS = "bulletins_salaire", "Bulletins de salaire du conseiller"
    FINAL_REPORT = "bilan_final", "Bilan final d'activité"


# The documents each kind of justification asks the structure for (assumption: not public).
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    JustificationKind.NONE: (),
    JustificationKind.ACTIVITY: (DocumentKind.ACTIVITY_REPORT, DocumentKind.PAYSLIPS),
    JustificationKind.FINAL: (DocumentKind.FINAL_REPORT, DocumentKind.PAYSLIPS),
}


class Regime(models.Model):
    """A subsidy regime: total per post, duration and tranches. Frozen once a convention uses it
    (database triggers refuse changes to its money terms), so a convention keeps its terms."""

    code = models.SlugField("code", max_length=50, unique=True)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("description", blank=True)
    duration_months = models.PositiveSmallIntegerField(
        "durée (mois)", validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    total_cents = models.PositiveBigIntegerField(
        "montant total par poste (centimes)",
        null=True,
        blank=True,
        help_text="Base des tranches exprimées en pourcentage ; vide si les tranches sont des "
        "montants.",
    )
    vacancy_window_months = models.PositiveSmallIntegerField(
        "délai de remplacement (mois)",
        default=6,
        help_text="Un poste vacant rempli dans ce délai garde la suite de son échéancier.",
    )
    is_default = models.BooleanField(
        "régime par défaut des nouvelles conventions",
        default=False,
        help_text="Appliqué à la convention signée automatiquement au premier recrutement validé.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        db_table = "conseillers_regime"
        verbose_name = "régime de subvention"
        verbose_name_plural = "régimes de subvention"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="regime_one_default"
            ),
            models.CheckConstraint(
                name="regime_duration_positive", condition=Q(duration_months__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_abilities(self, user: User) -> dict[str, bool]:
        # Regimes are public terms: anyone logged in reads them; creating one is programme-wide
        # (`conseillers.subsidy.abilities`).
        return {"view": user.is_authenticated}

    @property
    def in_use(self) -> bool:
        return self.conventions.exists()

    def lines_for(self, *, public: bool) -> list[RegimeTranche]:
        audience = Audience.PUBLIC if public else Audience.PRIVATE
        lines = [line for line in self.lines.all() if line.audience in (Audience.ALL, audience)]
        return sorted(lines, key=lambda line: line.rank)

    def amounts_for(self, *, public: bool, bonus: bool) -> list[int]:
        lines = [line.as_math() for line in self.lines_for(public=public)]
        return subsidy_math.tranche_amounts(lines, base_total=self.total_cents, bonus=bonus)

    def total_for(self, *, public: bool, bonus: bool) -> int:
        return sum(self.amounts_for(public=public, bonus=bonus))


class RegimeTranche(models.Model):
    """One tranche of a regime: its amount (or share), when it falls due, what must justify it."""

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="lines")
    audience = models.CharField(
        "structures concernées", max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    rank = models.PositiveSmallIntegerField("rang", validators=[MinValueValidator(1)])
    label = models.CharField("libellé", max_length=200)
    share_bp = models.PositiveIntegerField(
        "part du total (points de base, 4000 = 40 %)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(subsidy_math.BASIS_POINTS)],
    )
    amount_cents = models.PositiveBigIntegerField("montant (centimes)", null=True, blank=True)
    bonus_cents = models.PositiveBigIntegerField(
        "bonification QPV/ZRR (centimes)",
        default=0,
        help_text="Ajoutée quand la structure est en QPV ou en ZRR.",
    )
    trigger = models.CharField("déclencheur", max_length=30, choices=Trigger.choices)
    month = models.PositiveSmallIntegerField(
        "mois de service", default=0, help_text="0 : dès le début du contrat."
    )
    justification = models.CharField(
        "justificatif demandé",
        max_length=10,
        choices=JustificationKind.choices,
        default=JustificationKind.NONE,
    )

    class Meta:
        db_table = "conseillers_regimetranche"
        verbose_name = "tranche d'un régime"
        verbose_name_plural = "tranches des régimes"
        ordering = ["regime", "audience", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "audience", "rank"], name="regime_tranche_unique_rank"
            ),
            models.CheckConstraint(
                name="regime_tranche_share_or_amount",
                condition=(Q(share_bp__isnull=False) & Q(amount_cents__isnull=True))
                | (Q(share_bp__isnull=True) & Q(amount_cents__isnull=False)),
                violation_error_message="Une tranche a soit une part du total, soit un montant.",
            ),
            models.CheckConstraint(
                name="regime_tranche_justification_trigger_has_one",
                condition=~Q(trigger=Trigger.JUSTIFICATION) | ~Q(justification="aucun"),
                violation_error_message="Une tranche déclenchée par un justificatif en demande un.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime} – tranche {self.rank} ({self.get_audience_display().lower()})"

    def as_math(self) -> subsidy_math.Line:
        return subsidy_math.Line(
            rank=self.rank,
            month=self.month,
            share_bp=self.share_bp,
            amount_cents=self.amount_cents,
            bonus_cents=self.bonus_cents,
        )


# --- Conventions and each post's schedule --------------------------------------------------------


class ConventionQuerySet(models.QuerySet["Convention"]):
    def visible_to(self, user: User) -> ConventionQuerySet:
        return _scoped(self, user, "structure")


def _scoped(queryset, user: User, structure_path: str):
    """ANCT sees everything; a préfecture its territory; a manager its structures."""
    scope = user.scope
    if scope.is_anct:
        return queryset.all()
    return queryset.filter(
        Q(**{f"{structure_path}__departement_id__in": scope.departement_codes})
        | Q(**{f"{structure_path}_id__in": scope.structure_ids(Role.GESTIONNAIRE)})
    )


class Convention(models.Model):
    """The agreement between the State and a structure whose application was validated: the
    regime it was signed under applies to every post it covers, for good."""

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="conventions", verbose_name="structure"
    )
    # A foreign key since renewals: the renewed convention keeps its application, and a
    # partial unique constraint keeps one first convention per application.
    candidature = models.ForeignKey(
        Candidature,
        on_delete=models.PROTECT,
        related_name="conventions",
        verbose_name="candidature",
    )
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name="renouvelle la convention",
    )
    regime = models.ForeignKey(
        Regime, on_delete=models.PROTECT, related_name="conventions", verbose_name="régime"
    )
    number = models.CharField("numéro", max_length=30, unique=True)
    signed_on = models.DateField("signée le")
    public = models.BooleanField("structure publique")
    bonus = models.BooleanField("bonification QPV/ZRR")
    posts = models.PositiveIntegerField("postes couverts à la signature")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_convention"
        verbose_name = "convention"
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidature"],
                condition=Q(renews__isnull=True),
                name="convention_first_once_per_candidature",
            )
        ]

    def __str__(self) -> str:
        return f"Convention {self.number}"

    def get_abilities(self, user: User) -> dict[str, bool]:
        return {"view": _can_view(user, self.structure)}

    @property
    def total_per_post_cents(self) -> int:
        return self.regime.total_for(public=self.public, bonus=self.bonus)


class SubventionState(models.TextChoices):
    ACTIVE = "en_cours", "En cours"
    VACANT = "suspendue", "Suspendue (poste vacant)"
    CLOSED = "soldee", "Soldée"


class Vacancy(NamedTuple):
    since: datetime.date
    deadline: datetime.date

    @property
    def closes_on(self) -> datetime.date:
        """The first day the reconciliation closes the post when nobody was recruited by the
        deadline (it closes the windows ended before the day it runs)."""
        return self.deadline + datetime.timedelta(days=1)


class SubventionQuerySet(models.QuerySet["Subvention"]):
    def visible_to(self, user: User) -> SubventionQuerySet:
        return _scoped(self, user, "structure")


class Subvention(ConcurrentTransitionMixin, models.Model):
    """The subsidy of one post under a convention: its schedule follows the post across
    successive holders, the clock stopped while the post is vacant."""

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="subventions", verbose_name="convention"
    )
    # Denormalised from the convention: every scoping query filters on it.
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="subventions", verbose_name="structure"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="subventions", verbose_name="poste"
    )
    holder = models.ForeignKey(
        Match,
        on_delete=models.PROTECT,
        related_name="subventions",
        verbose_name="conseiller dont le service est suivi",
    )
    total_cents = models.PositiveBigIntegerField("montant total du poste (centimes)")
    duration_months = models.PositiveSmallIntegerField("durée (mois)")
    vacancy_window_months = models.PositiveSmallIntegerField("délai de remplacement (mois)")
    started_on = models.DateField("début du service subventionné")
    holder_started_on = models.DateField("début du service du titulaire")
    months_carried = models.PositiveSmallIntegerField(
        "mois de service des titulaires précédents", default=0
    )
    ends_on = models.DateField("fin prévue du service subventionné")
    vacant_since = models.DateField("vacant depuis", null=True, blank=True)
    vacancy_deadline = models.DateField("à remplacer avant le", null=True, blank=True)
    state = FSMField(
        "état",
        max_length=20,
        default=SubventionState.ACTIVE,
        choices=SubventionState.choices,
        protected=True,
    )
    closed_on = models.DateField("soldée le", null=True, blank=True)
    months_served = models.PositiveSmallIntegerField("mois de service", null=True, blank=True)
    earned_cents = models.PositiveBigIntegerField("droits acquis (centimes)", null=True, blank=True)
    created_at = models.DateTimeField("ouverte le", auto_now_add=True)

    objects = SubventionQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_subvention"
        verbose_name = "subvention d'un poste"
        verbose_name_plural = "subventions des postes"
        ordering = ["convention", "post"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "post"], name="subvention_once_per_post"),
            models.UniqueConstraint(
                fields=["post"], condition=~Q(state="soldee"), name="subvention_one_open_per_post"
            ),
            models.CheckConstraint(
                name="subvention_earned_within_total",
                condition=Q(earned_cents__isnull=True) | Q(earned_cents__lte=F("total_cents")),
            ),
            # The reconciliation closes a suspended subsidy at the start of its vacancy.
            models.CheckConstraint(
                name="subvention_vacancy_dated",
                condition=~Q(state=SubventionState.VACANT)
                | Q(vacant_since__isnull=False, vacancy_deadline__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "ends_on"], name="subvention_state_ends"),
            models.Index(fields=["state", "vacancy_deadline"], name="subvention_state_deadline"),
        ]

    # Set by the selectors for the day a page shows (`earned_to_date`); never stored.
    earned_to_date: int
    projected_recovery: subsidy_math.ProjectedRecovery | None
    contract_term: subsidy_math.ContractTerm | None

    def __str__(self) -> str:
        return f"Subvention du poste {self.post_id} ({self.convention.number})"

    @property
    def vacancy(self) -> Vacancy:
        """Since when the post is vacant, and until when a replacement keeps the schedule: both
        dates are set while the subsidy is suspended (the database checks it)."""
        if self.vacant_since is None or self.vacancy_deadline is None:
            raise ValueError(f"La subvention {self.pk} n'est pas suspendue.")
        return Vacancy(since=self.vacant_since, deadline=self.vacancy_deadline)

    @transition(state, source=SubventionState.ACTIVE, target=SubventionState.VACANT)
    def suspend(self) -> None:
        """The holder left: the clock stops until a replacement or the end of the window."""

    @transition(state, source=SubventionState.VACANT, target=SubventionState.ACTIVE)
    def resume(self) -> None:
        """A replacement within the window continues the schedule."""

    @transition(
        state,
        source=[SubventionState.ACTIVE, SubventionState.VACANT],
        target=SubventionState.CLOSED,
    )
    def close(self) -> None:
        """The entitlement is final: the whole duration served, or the post not filled in time."""

    def get_abilities(self, user: User) -> dict[str, bool]:
        return {"view": _can_view(user, self.structure)}


def _can_view(user: User, structure: Structure) -> bool:
    scope = user.scope
    return (
        scope.is_anct
        or structure.departement_id in scope.departement_codes
        or scope.has_structure_role(structure.pk, Role.GESTIONNAIRE)
    )


class TrancheState(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    BLOCKED = "bloquee", "Bloquée"
    DUE = "due", "Due"
    SUBMITTED = "justificatif_depose", "Justificatif déposé"
    TO_CORRECT = "a_corriger", "À corriger"
    APPROVED = "approuvee", "Approuvée, à payer"
    PAID = "payee", "Payée"
    CANCELLED = "annulee", "Annulée"


# Named source groups. A tranche is "open" while money may still flow on it.
AWAITING_STRUCTURE = [TrancheState.DUE, TrancheState.TO_CORRECT]
OPEN_TRANCHE = [
    TrancheState.PLANNED,
    TrancheState.BLOCKED,
    TrancheState.DUE,
    TrancheState.SUBMITTED,
    TrancheState.TO_CORRECT,
    TrancheState.APPROVED,
]


class TrancheQuerySet(models.QuerySet["Tranche"]):
    def visible_to(self, user: User) -> TrancheQuerySet:
        return _scoped(self, user, "subvention__structure")

    def unpaid(self) -> TrancheQuerySet:
        return self.filter(state__in=OPEN_TRANCHE)


class Tranche(ConcurrentTransitionMixin, models.Model):
    """One payment of a post's schedule, from planned to paid (or cancelled when a post closes)."""

    subvention = models.ForeignKey(
        Subvention, on_delete=models.PROTECT, related_name="tranches", verbose_name="subvention"
    )
    rank = models.PositiveSmallIntegerField("rang")
    label = models.CharField("libellé", max_length=200)
    initial_amount_cents = models.PositiveBigIntegerField("montant prévu (centimes)")
    amount_cents = models.PositiveBigIntegerField("montant (centimes)")
    trigger = models.CharField("déclencheur", max_length=30, choices=Trigger.choices)
    month = models.PositiveSmallIntegerField("mois de service")
    justification = models.CharField(
        "justificatif demandé", max_length=10, choices=JustificationKind.choices
    )
    due_on = models.DateField("échéance")
    state = FSMField(
        "état",
        max_length=30,
        default=TrancheState.PLANNED,
        choices=TrancheState.choices,
        protected=True,
    )
    blocked_reason = models.TextField("motif du blocage", blank=True)
    reminded_at = models.DateTimeField("dernière relance le", null=True, blank=True)
    state_changed_at = models.DateTimeField("état modifié le", default=timezone.now)

    objects = TrancheQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_tranche"
        verbose_name = "tranche"
        ordering = ["subvention", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["subvention", "rank"], name="tranche_unique_rank"),
            models.CheckConstraint(
                name="tranche_amount_within_initial",
                condition=Q(amount_cents__lte=F("initial_amount_cents")),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"], name="tranche_state_due"),
            # The API lists tranches by due date, one keyset page at a time (core.keyset).
            models.Index(fields=["due_on", "id"], name="tranche_due_id"),
            # The daily tasks claim their tranches in id order, a batch at a time (core.batches):
            # these give each batch its rows in that order directly, whatever the planner's
            # statistics say after a day that changed many states.
            models.Index(
                fields=["id"],
                condition=Q(state__in=[TrancheState.PLANNED, TrancheState.BLOCKED]),
                name="tranche_to_fall_due",
            ),
            models.Index(
                fields=["id"],
                condition=Q(state__in=[TrancheState.DUE, TrancheState.TO_CORRECT]),
                name="tranche_awaiting_papers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} – {subsidy_math.euros(self.amount_cents)}"

    @property
    def amount(self) -> str:
        return subsidy_math.euros(self.amount_cents)

    @property
    def order_reference(self) -> str:
        """The reference the payment agency quotes back: stable, one per tranche."""
        return f"CNFS-T{self.pk:07d}"

    @property
    def needs_justification(self) -> bool:
        return self.justification != JustificationKind.NONE

    @property
    def required_documents(self) -> tuple[str, ...]:
        return REQUIRED_DOCUMENTS[self.justification]

    @transition(state, source=TrancheState.PLANNED, target=TrancheState.DUE)
    def mark_due(self) -> None:
        """Its date is reached and the salary still reaches the SMIC (beat task)."""

    @transition(state, source=TrancheState.PLANNED, target=TrancheState.BLOCKED)
    def block(self) -> None:
        """Its date is reached but the salary is below the SMIC in force on that date."""

    @transition(state, source=TrancheState.BLOCKED, target=TrancheState.DUE)
    def unblock(self) -> None:
        """The salary check passes again (salary or SMIC table corrected, new holder)."""

    @transition(state, source=AWAITING_STRUCTURE, target=TrancheState.SUBMITTED)
    def submit(self) -> None:
        """The structure uploads the documents of the justification."""

    @transition(
        state, source=[TrancheState.DUE, TrancheState.SUBMITTED], target=TrancheState.APPROVED
    )
    def approve(self) -> None:
        """ANCT approves: the justification, or a due tranche that needs none."""

    @transition(state, source=TrancheState.SUBMITTED, target=TrancheState.TO_CORRECT)
    def send_back(self) -> None:
        """ANCT sends the justification back for correction, saying why."""

    @transition(state, source=TrancheState.APPROVED, target=TrancheState.PAID)
    def pay(self) -> None:
        """The payment agency paid: a Payment row records it, once."""

    @transition(state, source=OPEN_TRANCHE, target=TrancheState.CANCELLED)
    def cancel(self) -> None:
        """The post closed early and its entitlement does not reach this tranche."""

    def get_abilities(self, user: User) -> dict[str, bool]:
        structure = self.subvention.structure
        scope = user.scope
        manager = scope.has_structure_role(structure.pk, Role.GESTIONNAIRE)
        anct = scope.is_anct
        state = self.state
        payable = self.subvention.state != SubventionState.VACANT
        return {
            "view": _can_view(user, structure),
            # The documents of its justifications, through the protected download view.
            "download_document": _can_view(user, structure),
            "submit": manager and state in AWAITING_STRUCTURE and self.needs_justification,
            "approve": anct
            and (
                state == TrancheState.SUBMITTED
                or (state == TrancheState.DUE and not self.needs_justification)
            ),
            "send_back": anct and state == TrancheState.SUBMITTED,
            "pay": anct and state == TrancheState.APPROVED and payable,
            # A payment is never edited: ANCT adds a correction, until the subsidy is closed.
            "correct_payment": anct
            and state == TrancheState.PAID
            and self.subvention.state != SubventionState.CLOSED,
        }


def justification_folder() -> str:
    return f"justificatifs/{timezone.now():%Y/%m}"


def justification_path(instance: JustificationDocument, filename: str) -> str:
    # Never the uploader's file name in the path: it may carry personal data.
    return random_name(justification_folder())


class Justification(models.Model):
    """One submission of the documents a tranche asks for; a correction is a new submission."""

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="justifications")
    comment = models.TextField("commentaire", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    submitted_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        db_table = "conseillers_justification"
        verbose_name = "justificatif"
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"Justificatif du {self.submitted_at:%d/%m/%Y} (tranche {self.tranche_id})"


class JustificationDocument(models.Model):
    justification = models.ForeignKey(
        Justification, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("pièce", max_length=20, choices=DocumentKind.choices)
    file = models.FileField("fichier PDF", upload_to=justification_path, storage=uploads_storage)
    size = models.PositiveIntegerField("taille (octets)")

    class Meta:
        db_table = "conseillers_justificationdocument"
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        constraints = [
            models.UniqueConstraint(
                fields=["justification", "kind"], name="justification_document_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Payments and recoveries ---------------------------------------------------------------------


class PaymentKind(models.TextChoices):
    PAYMENT = "paiement", "Paiement"
    CORRECTION = "correction", "Correction"


class PaymentQuerySet(models.QuerySet["Payment"]):
    def visible_to(self, user: User) -> PaymentQuerySet:
        return _scoped(self, user, "tranche__subvention__structure")


class Payment(models.Model):
    """An accounting fact: recorded once, never edited (database triggers), corrected by a new row.

    The partial unique constraint is what makes a second payment of a tranche impossible, whatever
    the number of workers or retries; the service's row lock only turns it into a clear message.
    """

    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="payments", verbose_name="tranche"
    )
    kind = models.CharField(
        "nature", max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    amount_cents = models.BigIntegerField("montant (centimes)")
    reference = models.CharField("référence du paiement", max_length=100)
    paid_on = models.DateField("payé le")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="corrige",
    )
    reason = models.TextField("motif", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistré par",
    )
    system = models.CharField("enregistré par le système", max_length=100, blank=True)
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_payment"
        verbose_name = "paiement"
        ordering = ["paid_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"], condition=Q(kind="paiement"), name="payment_once_per_tranche"
            ),
            models.CheckConstraint(
                name="payment_positive_correction_explained",
                condition=(Q(kind="paiement") & Q(amount_cents__gt=0) & Q(corrects__isnull=True))
                | (Q(kind="correction") & Q(corrects__isnull=False) & ~Q(reason="")),
            ),
            models.CheckConstraint(
                name="payment_has_an_author",
                condition=Q(recorded_by__isnull=False) | ~Q(system=""),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.reference} – {subsidy_math.euros(self.amount_cents)}"
        )

    def save(self, *args, **kwargs) -> None:
        # Python mirror of the triggers: a clear error before reaching the database.
        if not self._state.adding:
            raise ValidationError("Un paiement ne se modifie pas : enregistrez une correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Un paiement ne se supprime pas : enregistrez une correction.")

    @property
    def amount(self) -> str:
        return subsidy_math.euros(self.amount_cents)


class RecoveryState(models.TextChoices):
    TO_CLAIM = "a_reclamer", "À réclamer"
    CLAIMED = "reclame", "Titre de recette émis"
    RECOVERED = "recouvre", "Recouvré"


class RecoveryQuerySet(models.QuerySet["Recovery"]):
    def visible_to(self, user: User) -> RecoveryQuerySet:
        return _scoped(self, user, "structure")


class Recovery(ConcurrentTransitionMixin, models.Model):
    """A reversement: paid beyond what the months of service earned, owed back by the structure."""

    subvention = models.OneToOneField(
        Subvention, on_delete=models.PROTECT, related_name="recovery", verbose_name="subvention"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="recoveries", verbose_name="structure"
    )
    amount_cents = models.PositiveBigIntegerField("montant (centimes)")
    reason = models.TextField("motif")
    state = FSMField(
        "état",
        max_length=20,
        default=RecoveryState.TO_CLAIM,
        choices=RecoveryState.choices,
        protected=True,
    )
    claim_reference = models.CharField("référence du titre de recette", max_length=100, blank=True)
    claimed_on = models.DateField("réclamé le", null=True, blank=True)
    recovered_on = models.DateField("recouvré le", null=True, blank=True)
    created_at = models.DateTimeField("constaté le", auto_now_add=True)

    objects = RecoveryQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_recovery"
        verbose_name = "reversement"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="recovery_positive", condition=Q(amount_cents__gt=0))
        ]

    def __str__(self) -> str:
        return f"Reversement de {subsidy_math.euros(self.amount_cents)} ({self.structure})"

    @property
    def amount(self) -> str:
        return subsidy_math.euros(self.amount_cents)

    @transition(state, source=RecoveryState.TO_CLAIM, target=RecoveryState.CLAIMED)
    def claim(self) -> None:
        """ANCT issues the titre de recette."""

    @transition(state, source=RecoveryState.CLAIMED, target=RecoveryState.RECOVERED)
    def settle(self) -> None:
        """The structure paid it back."""

    def get_abilities(self, user: User) -> dict[str, bool]:
        anct = user.scope.is_anct
        return {
            "view": _can_view(user, self.structure),
            "claim": anct and self.state == RecoveryState.TO_CLAIM,
            "settle": anct and self.state == RecoveryState.CLAIMED,
        }


# --- The audit trail -----------------------------------------------------------------------------

# Labels of every state a log row may name, whichever lifecycle it belongs to.
STATE_LABELS = {
    **dict(TrancheState.choices),
    **dict(SubventionState.choices),
    **dict(RecoveryState.choices),
}
SYSTEM_ACTOR_LABEL = "Système (tâche planifiée)"


class SubsidyTransition(TransitionLog):
    """Who changed a tranche, a post's subsidy or a recovery, when, from which state to which, and
    why: the shape of every transition log (`core.transitions`), on one of three targets."""

    append_only_message = "Le journal des subventions est en ajout seul"

    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, null=True, blank=True, related_name="transitions"
    )
    subvention = models.ForeignKey(
        Subvention, on_delete=models.PROTECT, null=True, blank=True, related_name="transitions"
    )
    recovery = models.ForeignKey(
        Recovery, on_delete=models.PROTECT, null=True, blank=True, related_name="transitions"
    )

    class Meta(TransitionLog.Meta):
        db_table = "conseillers_subsidytransition"
        verbose_name = "changement d'état (subventions)"
        verbose_name_plural = "journal des subventions"
        constraints = [
            *TransitionLog.Meta.constraints,
            models.CheckConstraint(
                name="subsidy_transition_one_target",
                condition=(
                    Q(tranche__isnull=False, subvention__isnull=True, recovery__isnull=True)
                    | Q(tranche__isnull=True, subvention__isnull=False, recovery__isnull=True)
                    | Q(tranche__isnull=True, subvention__isnull=True, recovery__isnull=False)
                ),
            ),
        ]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(f"{self.append_only_message}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{self.append_only_message}.")

    @property
    def from_label(self) -> str:
        return STATE_LABELS.get(self.from_state, self.from_state)

    @property
    def to_label(self) -> str:
        return STATE_LABELS.get(self.to_state, self.to_state)

    @property
    def actor(self) -> str:
        if self.by is None:
            return SYSTEM_ACTOR_LABEL
        return self.by.get_full_name() or "Agent sans nom"


class DepartementMoney(models.Model):
    """The money figures the territorial dashboard leads with, per département, as last
    aggregated with the programme's figures (`conseillers.subsidy.dashboard.money_refresh`):
    the page sums about a hundred rows instead of every tranche, payment and recovery."""

    departement = models.OneToOneField(
        Departement,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name="département",
    )
    committed_cents = models.BigIntegerField("engagé (centimes)", default=0)
    paid_cents = models.BigIntegerField("versé (centimes)", default=0)
    recovered_cents = models.BigIntegerField("reversé (centimes)", default=0)
    computed_at = models.DateTimeField("chiffres calculés le")

    class Meta:
        verbose_name = "budget d'un département (tableau de bord)"
        verbose_name_plural = "budgets des départements (tableau de bord)"

    def __str__(self) -> str:
        return f"{self.departement_id} au {self.computed_at:%d/%m/%Y %H:%M}"


class NoticeImportSource(models.TextChoices):
    PAGE = "page", "Page des ordres de paiement"
    API = "api", "API"


class PaymentNoticeImport(models.Model):
    """One import of the agency's payment notices (dry runs excepted): who, when, which file,
    whether it was applied, and line by line what it changed or why it was refused. Append-only
    (database triggers): the trail of every payment recorded from a file."""

    append_only_message: ClassVar[str] = (
        "Le journal des imports d'avis de paiement est en ajout seul"
    )

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", default=timezone.now)
    source = models.CharField("depuis", max_length=10, choices=NoticeImportSource.choices)
    file_name = models.CharField("fichier", max_length=255)
    file_sha256 = models.CharField("empreinte SHA-256 du fichier", max_length=64)
    applied = models.BooleanField(
        "appliqué", help_text="Faux : le fichier a été refusé en entier, rien n'a été écrit."
    )
    lines_count = models.PositiveIntegerField("lignes")
    recorded_count = models.PositiveIntegerField("paiements enregistrés")
    # [{"ligne": 2, "reference_ordre": "CNFS-T0000012", "statut": "nouveau", "paiement": 41, …}]
    report = models.JSONField("compte rendu, ligne par ligne")

    class Meta:
        verbose_name = "import d'avis de paiement"
        verbose_name_plural = "imports d'avis de paiement"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.at:%d/%m/%Y %H:%M})"


# The renewal's models live in their own module; imported here so that the app registers them.
from conseillers.subsidy.renewal_models import (  # noqa: E402, F401
    ConventionRenewal,
    RenewalState,
    RenewalTransition,
    RenewedPost,
)
