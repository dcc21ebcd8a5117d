"""The amendment request of a structure and its lifecycle, declared once here.

A structure asks to add posts (ajout) or to give posts back (retrait); the préfecture may give an
opinion while the request waits; ANCT accepts it (a new row of the decision ledger) or refuses it
with a motive; the structure may withdraw it. One request waits at a time per structure: the
database refuses a second one.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from conseillers.models import Decision, OpinionVerdict
from core.models import Role, Structure, User
from core.transitions import TransitionLog


class AmendmentKind(models.TextChoices):
    ADD = "ajout", "Ajout de postes"
    GIVE_BACK = "retrait", "Rendu de postes"


class GiveBackMotive(models.TextChoices):
    """The motives of the real platform's form for giving posts back."""

    NEED_GONE = "besoin_non_justifie", "Le besoin ne justifie plus un poste"
    RECRUITMENT = "difficultes_recrutement", "Difficultés de recrutement"
    NO_MEANS = "capacite_financiere", "Pas de capacité financière"
    NO_VISIBILITY = "visibilite_renouvellement", "Pas de visibilité sur le renouvellement"
    SUBSIDY_ENDS = "fin_subvention", "Fin de la subvention"


class AmendmentState(models.TextChoices):
    PENDING = "en_attente", "En attente"
    ACCEPTED = "acceptee", "Acceptée"
    REFUSED = "refusee", "Refusée"
    CANCELLED = "annulee", "Annulée"


class AmendmentRequestQuerySet(models.QuerySet["AmendmentRequest"]):
    def visible_to(self, user: User) -> AmendmentRequestQuerySet:
        """ANCT everything; a préfecture its territory; a manager its structures' requests."""
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(structure__departement_id__in=scope.departement_codes)
            | Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
        )

    def pending(self) -> AmendmentRequestQuerySet:
        return self.filter(state=AmendmentState.PENDING)


class AmendmentRequest(ConcurrentTransitionMixin, models.Model):
    """A structure's request to add or give back posts (demande d'avenant)."""

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="amendment_requests"
    )
    kind = models.CharField("nature", max_length=10, choices=AmendmentKind.choices)
    posts = models.PositiveIntegerField(
        "nombre de postes", validators=[MinValueValidator(1)], help_text="Au moins un poste."
    )
    motive = models.CharField(
        "motif du rendu", max_length=30, choices=GiveBackMotive.choices, blank=True
    )
    justification = models.TextField(
        "justification", blank=True, validators=[MaxLengthValidator(2500)]
    )
    # What the structure held when it asked: ANCT reads the request against it.
    posts_before = models.PositiveIntegerField("postes accordés avant la demande")
    state = FSMField(
        "état", default=AmendmentState.PENDING, choices=AmendmentState.choices, protected=True
    )
    refusal_motive = models.TextField("motif du refus", blank=True)
    decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment_request",
        verbose_name="décision de l'ANCT",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    state_changed_at = models.DateTimeField("état modifié le", auto_now_add=True)

    objects = AmendmentRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'avenant"
        verbose_name_plural = "demandes d'avenant"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure"],
                condition=Q(state="en_attente"),
                name="amendment_one_pending_per_structure",
                violation_error_message="Une demande d'avenant de cette structure est déjà en "
                "attente.",
            ),
            models.CheckConstraint(name="amendment_posts_at_least_one", condition=Q(posts__gte=1)),
            models.CheckConstraint(
                name="amendment_give_back_has_motive",
                condition=Q(kind="ajout") | ~Q(motive=""),
            ),
            models.CheckConstraint(
                name="amendment_accepted_has_decision",
                condition=~Q(state="acceptee") | Q(decision__isnull=False),
            ),
            models.CheckConstraint(
                name="amendment_refused_has_motive",
                condition=~Q(state="refusee") | ~Q(refusal_motive=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Demande d'avenant n° {self.pk} – {self.structure}"

    @property
    def is_give_back(self) -> bool:
        return self.kind == AmendmentKind.GIVE_BACK

    @property
    def posts_after(self) -> int:
        """The posts the structure would hold if ANCT grants the request as asked."""
        return self.posts_before + (-self.posts if self.is_give_back else self.posts)

    # The whole lifecycle. Who may fire each transition is in get_abilities.
    @transition(state, source=AmendmentState.PENDING, target=AmendmentState.ACCEPTED)
    def accept(self) -> None:
        """ANCT grants the request: a new row of the decision ledger."""

    @transition(state, source=AmendmentState.PENDING, target=AmendmentState.REFUSED)
    def refuse(self) -> None:
        """ANCT refuses the request, with its motive."""

    @transition(state, source=AmendmentState.PENDING, target=AmendmentState.CANCELLED)
    def cancel(self) -> None:
        """The structure withdraws its request."""

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        manager = scope.has_structure_role(self.structure_id, Role.GESTIONNAIRE)
        prefecture = self.structure.departement_id in scope.departement_codes
        pending = self.state == AmendmentState.PENDING
        anct = scope.is_anct
        return {
            "view": anct or prefecture or manager,
            "give_opinion": prefecture and pending,
            "accept": anct and pending,
            "refuse": anct and pending,
            "cancel": manager and pending,
        }


class AmendmentTransition(TransitionLog):
    # PROTECT: the database refuses to delete a log row, so a logged request stays.
    amendment = models.ForeignKey(
        AmendmentRequest, on_delete=models.PROTECT, related_name="transitions"
    )
    from_state = models.CharField("depuis", max_length=30, choices=AmendmentState.choices)
    to_state = models.CharField("vers", max_length=30, choices=AmendmentState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une demande d'avenant"
        verbose_name_plural = "changements d'état des demandes d'avenant"


class AmendmentOpinion(models.Model):
    """The préfet's opinion on a waiting request. Amending it adds a row; the latest is in force."""

    append_only_message: ClassVar[str] = "Les avis de la préfecture sont en ajout seul"

    amendment = models.ForeignKey(
        AmendmentRequest, on_delete=models.PROTECT, related_name="opinions"
    )
    verdict = models.CharField("avis", max_length=12, choices=OpinionVerdict.choices)
    comment = models.TextField(
        "commentaire", validators=[MinLengthValidator(10), MaxLengthValidator(1000)]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    created_at = models.DateTimeField("rendu le", auto_now_add=True)

    class Meta:
        verbose_name = "avis de la préfecture sur une demande d'avenant"
        verbose_name_plural = "avis des préfectures sur les demandes d'avenant"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Avis {self.get_verdict_display().lower()} sur la demande {self.amendment_id}"
