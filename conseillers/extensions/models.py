"""Extending a fixed-term contract (prolongation de contrat): the structure asks for a later end
date before the current one passes, ANCT validates or refuses.

One row per request, never rewritten once decided: it keeps the end date in force when it was
asked (`previous_end_date`) and the one asked (`requested_end_date`), so the requests of a
contract are its history of end dates. On validation the contract's `end_date` takes the new
date, and everything that reads the contract's end (the rupture's latest date, the activity
records' latest date, the vacancy at the contract's term, the subsidy's projection) follows.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from conseillers.models import Contract, ContractType, Match, MatchState
from core.models import Role, User
from core.transitions import TransitionLog

# A CDD is extended by an amendment (avenant de renouvellement), a contrat de projet public within
# its legal ceiling of six years: in both the employer pushes back the end date. A PEC is not: its
# term is that of the State's prescription (France Travail), renewed by a new prescription, not by
# the structure's request to ANCT. A CDI has no end.
EXTENDABLE_TYPES = (ContractType.CDD, ContractType.PROJET)


class ExtensionState(models.TextChoices):
    REQUESTED = "demandee", "Demandée"
    VALIDATED = "validee", "Validée"
    REFUSED = "refusee", "Refusée"
    CANCELLED = "annulee", "Annulée"


class ContractExtensionQuerySet(models.QuerySet["ContractExtension"]):
    def visible_to(self, user: User) -> ContractExtensionQuerySet:
        """ANCT everything; a préfecture its territory; a manager its structures; the conseiller
        their own contract (the same reach as the match)."""
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(contract__match__structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
            | Q(contract__match__structure__departement_id__in=scope.departement_codes)
            | Q(contract__match__candidat__user=user)
        )

    def pending(self) -> ContractExtensionQuerySet:
        return self.filter(state=ExtensionState.REQUESTED)


class ContractExtension(ConcurrentTransitionMixin, models.Model):
    """A structure's request to push back the end date of a fixed-term contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="extensions", verbose_name="contrat"
    )
    previous_end_date = models.DateField("date de fin avant la demande")
    requested_end_date = models.DateField("nouvelle date de fin demandée")
    state = FSMField(
        "état", default=ExtensionState.REQUESTED, choices=ExtensionState.choices, protected=True
    )
    refusal_motive = models.TextField("motif du refus", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="demandée par",
    )
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    objects = ContractExtensionQuerySet.as_manager()

    class Meta:
        verbose_name = "prolongation de contrat"
        verbose_name_plural = "prolongations de contrat"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two requests at once would each be validated from the same end date.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(state="demandee"),
                name="extension_one_pending_per_contract",
                violation_error_message="Une demande de prolongation est déjà en attente pour "
                "ce contrat.",
            ),
            models.CheckConstraint(
                name="extension_pushes_the_end_back",
                condition=Q(requested_end_date__gt=F("previous_end_date")),
                violation_error_message="La nouvelle date de fin doit suivre la date de fin "
                "actuelle.",
            ),
            models.CheckConstraint(
                name="extension_refusal_has_motive",
                condition=~Q(state="refusee") | ~Q(refusal_motive=""),
                violation_error_message="Un refus est motivé.",
            ),
            models.CheckConstraint(
                name="extension_decision_dated",
                condition=Q(state="demandee", decided_at__isnull=True)
                | (~Q(state="demandee") & Q(decided_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Prolongation du {self.previous_end_date:%d/%m/%Y} au "
            f"{self.requested_end_date:%d/%m/%Y} ({self.get_state_display()})"
        )

    # The whole lifecycle, in one place. Who may fire each transition is in get_abilities.
    @transition(state, source=ExtensionState.REQUESTED, target=ExtensionState.VALIDATED)
    def validate(self) -> None:
        """ANCT validates: the contract ends on the requested date."""

    @transition(state, source=ExtensionState.REQUESTED, target=ExtensionState.REFUSED)
    def refuse(self) -> None:
        """ANCT refuses, with a motive: the contract keeps its end date."""

    @transition(state, source=ExtensionState.REQUESTED, target=ExtensionState.CANCELLED)
    def cancel(self) -> None:
        """The structure withdraws its request before ANCT decides."""

    @property
    def match(self) -> Match:
        return self.contract.match

    def get_abilities(self, user: User) -> dict[str, bool]:
        match = self.contract.match
        scope = user.scope
        manager = scope.has_structure_role(match.structure_id, Role.GESTIONNAIRE)
        anct = scope.is_anct
        pending = self.state == ExtensionState.REQUESTED
        return {
            "view": anct
            or manager
            or match.structure.departement_id in scope.departement_codes
            or (match.candidat.user_id is not None and match.candidat.user_id == user.pk),
            "validate": anct and pending,
            "refuse": anct and pending,
            "cancel": manager and pending,
        }


class ExtensionTransition(TransitionLog):
    # PROTECT: the database refuses to delete a log row, so a logged request stays.
    extension = models.ForeignKey(
        ContractExtension, on_delete=models.PROTECT, related_name="transitions"
    )
    from_state = models.CharField("depuis", max_length=30, choices=ExtensionState.choices)
    to_state = models.CharField("vers", max_length=30, choices=ExtensionState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une prolongation"
        verbose_name_plural = "changements d'état des prolongations"


class MatchExtensionAbilities:
    """What a person may do about extending the contract of one match: no extension row carries
    the right to ask for the first one."""

    def __init__(self, match: Match, today: datetime.date) -> None:
        self.match = match
        self.today = today

    def refusal(self) -> str:
        """Why the contract cannot be extended now, or "" when it can."""
        contract: Contract | None = getattr(self.match, "contract", None)
        if self.match.state != MatchState.FINALISED or contract is None:
            return "Seul le contrat d'un recrutement validé, en cours, peut être prolongé."
        if contract.type not in EXTENDABLE_TYPES or contract.end_date is None:
            return (
                "Seuls un CDD et un contrat de projet public se prolongent ici ; un PEC se "
                "renouvelle par une nouvelle prescription, un CDI n'a pas de fin."
            )
        if contract.end_date < self.today:
            return (
                f"Le contrat a pris fin le {contract.end_date:%d/%m/%Y} : une prolongation se "
                "demande avant cette date."
            )
        if ContractExtension.objects.pending().filter(contract=contract).exists():
            return "Une demande de prolongation est déjà en attente pour ce contrat."
        return ""

    def get_abilities(self, user: User) -> dict[str, bool]:
        return {"request_extension": self._manager(user) and not self.refusal()}

    def refusal_for(self, user: User) -> str:
        """What a person refused the request reads: not a manager, or why not now."""
        if not self._manager(user):
            return "Seul un gestionnaire de la structure peut demander la prolongation du contrat."
        return self.refusal()

    def _manager(self, user: User) -> bool:
        return user.scope.has_structure_role(self.match.structure_id, Role.GESTIONNAIRE)
