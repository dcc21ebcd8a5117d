"""The renewal of a convention under the 2023 regime (reconventionnement): its lifecycle, the posts
it renews and its transition log. Services: `conseillers.subsidy.renewal`.

A convention has at most one renewal row, created by the structure's first answer (renew these
posts, or not interested); before that the renewal is "à décider" and the pages show an unsaved
row (`ConventionRenewal.of`), whose abilities are computed the same way.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from conseillers.models.programme import Match, Post
from conseillers.subsidy import math as subsidy_math
from core.models import Role, Structure, User
from core.transitions import TransitionLog


class RenewalState(models.TextChoices):
    UNDECIDED = "a_decider", "À décider"
    NOT_INTERESTED = "non_interessee", "Non intéressée"
    INITIATED = "renouvellement_initie", "Renouvellement demandé"
    VALIDATED = "renouvellement_valide", "Renouvellement validé"
    REFUSED = "renouvellement_refuse", "Renouvellement refusé"


# Named source groups. The structure may change its mind while the window is open and ANCT has
# not decided; a refused request may be filed again.
MAY_INITIATE = [RenewalState.UNDECIDED, RenewalState.NOT_INTERESTED, RenewalState.REFUSED]
MAY_DECLINE = [RenewalState.UNDECIDED, RenewalState.INITIATED]
# Decided: the posts not renewed end with the convention and are released.
DECIDED = [RenewalState.NOT_INTERESTED, RenewalState.VALIDATED, RenewalState.REFUSED]


class RenewalQuerySet(models.QuerySet["ConventionRenewal"]):
    def visible_to(self, user: User) -> RenewalQuerySet:
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(structure__departement_id__in=scope.departement_codes)
            | Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
        )


class ConventionRenewal(ConcurrentTransitionMixin, models.Model):
    """Whether a convention is renewed under the 2023 regime, and with which posts."""

    convention = models.OneToOneField(
        "subsidy.Convention",
        on_delete=models.PROTECT,
        related_name="renewal",
        verbose_name="convention renouvelée",
    )
    # Denormalised from the convention: the scoping queries filter on it.
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="+", verbose_name="structure"
    )
    state = FSMField(
        "état",
        max_length=30,
        default=RenewalState.UNDECIDED,
        choices=RenewalState.choices,
        protected=True,
    )
    state_changed_at = models.DateTimeField("état modifié le", default=timezone.now)
    created_at = models.DateTimeField("ouvert le", auto_now_add=True)

    objects = RenewalQuerySet.as_manager()

    class Meta:
        db_table = "conseillers_conventionrenewal"
        verbose_name = "reconventionnement"
        verbose_name_plural = "reconventionnements"
        ordering = ["-state_changed_at", "-pk"]

    def __str__(self) -> str:
        return f"Reconventionnement de la {self.convention}"

    @classmethod
    def of(cls, convention) -> ConventionRenewal:
        """The convention's renewal row, or an unsaved one « à décider »."""
        existing = cls.objects.filter(convention=convention).first()
        return existing or cls(convention=convention, structure_id=convention.structure_id)

    # The whole lifecycle, in one place. Who may fire each transition is in get_abilities.
    @transition(state, source=MAY_INITIATE, target=RenewalState.INITIATED)
    def initiate(self) -> None:
        """The structure asks to renew the posts it chose."""

    @transition(state, source=MAY_DECLINE, target=RenewalState.NOT_INTERESTED)
    def decline(self) -> None:
        """The structure is not interested: its posts end with the convention."""

    @transition(state, source=RenewalState.INITIATED, target=RenewalState.VALIDATED)
    def validate(self) -> None:
        """ANCT validates: the new convention, schedules and matches open."""

    @transition(state, source=RenewalState.INITIATED, target=RenewalState.REFUSED)
    def refuse(self) -> None:
        """ANCT refuses, saying why."""

    @cached_property
    def convention_ends_on(self) -> datetime.date | None:
        """The end of the convention: the end of its last post's schedule still running."""
        return self.convention.subventions.filter(state__in=["en_cours", "suspendue"]).aggregate(
            end=Max("ends_on")
        )["end"]

    @property
    def window_opens_on(self) -> datetime.date | None:
        end = self.convention_ends_on
        if end is None:
            return None
        return subsidy_math.add_months(end, -settings.CONSEILLERS_RENEWAL_WINDOW_MONTHS)

    def window_open(self, today: datetime.date | None = None) -> bool:
        """From N months before the convention's end (`CONSEILLERS_RENEWAL_WINDOW_MONTHS`) to
        the day before it: the structure answers while its conseillers are still in post."""
        opens, end = self.window_opens_on, self.convention_ends_on
        day = today or timezone.localdate()
        return opens is not None and end is not None and opens <= day < end

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        structure = self.convention.structure
        manager = scope.has_structure_role(structure.pk, Role.GESTIONNAIRE)
        anct = scope.is_anct
        state = self.state
        answering = manager and (state in MAY_INITIATE or state in MAY_DECLINE)
        window = answering and self.window_open()
        return {
            "view": anct or manager or structure.departement_id in scope.departement_codes,
            "initiate": window and state in MAY_INITIATE,
            "decline": window and state in MAY_DECLINE,
            "validate": anct and state == RenewalState.INITIATED,
            "refuse": anct and state == RenewalState.INITIATED,
        }


class RenewedPost(models.Model):
    """A post the structure renews: the same conseiller, on a new match, from the day the post's
    schedule under the old convention ends."""

    renewal = models.ForeignKey(
        ConventionRenewal, on_delete=models.CASCADE, related_name="posts", verbose_name="demande"
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="+", verbose_name="poste")
    previous_match = models.ForeignKey(
        Match, on_delete=models.PROTECT, related_name="+", verbose_name="mise en relation sortante"
    )
    match = models.OneToOneField(
        Match,
        on_delete=models.PROTECT,
        related_name="renewal_of",
        verbose_name="mise en relation du renouvellement",
    )
    starts_on = models.DateField("début sous la nouvelle convention")
    subvention = models.OneToOneField(
        "subsidy.Subvention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal_of",
        verbose_name="nouvel échéancier",
    )

    class Meta:
        db_table = "conseillers_renewedpost"
        verbose_name = "poste renouvelé"
        verbose_name_plural = "postes renouvelés"
        ordering = ["post_id"]
        constraints = [
            models.UniqueConstraint(fields=["renewal", "post"], name="renewed_post_once"),
        ]

    def __str__(self) -> str:
        return f"Poste {self.post_id} renouvelé ({self.renewal})"


class RenewalTransition(TransitionLog):
    """Who moved a renewal, when, from which state to which, and why (append-only)."""

    append_only_message = "Le journal des reconventionnements est en ajout seul"

    renewal = models.ForeignKey(
        ConventionRenewal, on_delete=models.PROTECT, related_name="transitions"
    )
    from_state = models.CharField("depuis", max_length=30, choices=RenewalState.choices)
    to_state = models.CharField("vers", max_length=30, choices=RenewalState.choices)

    class Meta(TransitionLog.Meta):
        db_table = "conseillers_renewaltransition"
        verbose_name = "changement d'état d'un reconventionnement"
        verbose_name_plural = "journal des reconventionnements"
