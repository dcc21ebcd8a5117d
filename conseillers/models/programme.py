"""Conseillers numériques: envelopes, applications, opinions, decisions, recruitment.

Lifecycles are declared once, here, with django-fsm; the services in `conseillers.services` are the
only callers of the transitions, and each call writes a transition log row.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.files import random_name, uploads_storage
from core.models import Departement, Role, Structure, User
from core.plurals import count_fr
from core.transitions import TransitionLog

CENTS = Decimal("0.01")


# --- Envelopes -----------------------------------------------------------------------------------


class EnvelopeQuerySet(models.QuerySet["Envelope"]):
    def in_force(self) -> EnvelopeQuerySet:
        """The latest row of each département: the envelope in force, never edited in place."""
        # Rows are only ever appended, so the greatest pk of a département is its latest change.
        newer = Envelope.objects.filter(
            departement_id=OuterRef("departement_id"), pk__gt=OuterRef("pk")
        )
        return self.filter(~Exists(newer))


class Envelope(models.Model):
    """A dated change of a département's envelope of posts (accord préalable), set by ANCT."""

    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="envelopes", verbose_name="département"
    )
    posts = models.PositiveIntegerField("postes")
    reason = models.CharField("motif", max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    objects = EnvelopeQuerySet.as_manager()

    class Meta:
        verbose_name = "enveloppe départementale"
        verbose_name_plural = "enveloppes départementales"
        ordering = ["departement_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.departement} : {self.posts} postes ({self.created_at:%d/%m/%Y})"


# --- Applications (candidatures de structures) ---------------------------------------------------


class CandidatureState(models.TextChoices):
    CREATED = "creee", "Créée"
    EXAMINATION = "examen_complementaire", "En examen complémentaire"
    VALIDATED = "validee", "Validée"
    REFUSED = "refusee", "Refusée"
    ABANDONED = "abandonnee", "Abandonnée"
    CANCELLED = "annulee", "Annulée"
    DUPLICATE = "doublon", "Doublon"


# Named source groups: an application is "undecided" while ANCT has not validated or refused it.
UNDECIDED = [CandidatureState.CREATED, CandidatureState.EXAMINATION]


class CandidatureQuerySet(models.QuerySet["Candidature"]):
    def visible_to(self, user: User) -> CandidatureQuerySet:
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(structure__departement_id__in=scope.departement_codes)
            | Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
        )

    def undecided(self) -> CandidatureQuerySet:
        return self.filter(state__in=UNDECIDED)


class Candidature(ConcurrentTransitionMixin, models.Model):
    """A structure's application for conseiller numérique posts, submitted at any time."""

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="candidatures", verbose_name="structure"
    )
    # Copied from the structure at submission: the SIRET flags duplicates even if it changes later.
    siret = models.CharField("SIRET (ou RIDET)", max_length=14, db_index=True)
    contact_name = models.CharField("nom du contact", max_length=200)
    contact_email = models.EmailField("adresse électronique du contact")
    contact_phone = models.CharField("téléphone du contact", max_length=20, blank=True)
    posts_wished = models.PositiveIntegerField(
        "postes souhaités", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    motivation = models.TextField("motivation", validators=[MaxLengthValidator(2500)])
    start_date = models.DateField("date de démarrage souhaitée")
    zrr = models.BooleanField("en ZRR", default=False)
    qpv = models.BooleanField("en QPV", default=False)
    france_services = models.BooleanField("labellisée France Services", default=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="doublon possible de",
        help_text="Une candidature antérieure du même SIRET : signalée à l'ANCT, jamais fusionnée.",
    )
    state = FSMField(
        "état", default=CandidatureState.CREATED, choices=CandidatureState.choices, protected=True
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    state_changed_at = models.DateTimeField("état modifié le", auto_now_add=True)

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature de structure"
        verbose_name_plural = "candidatures de structures"
        ordering = ["-created_at"]
        # The lists read the newest first, one keyset page at a time (core.keyset).
        indexes = [models.Index(fields=["created_at", "id"], name="candidature_created_id")]
        constraints = [
            models.CheckConstraint(
                name="candidature_motivation_max_2500",
                condition=LessThanOrEqual(Length("motivation"), 2500),
            )
        ]

    def __str__(self) -> str:
        return f"Candidature n° {self.pk} – {self.structure}"

    # The whole lifecycle, in one place. Who may fire each transition is in get_abilities.
    @transition(state, source=CandidatureState.CREATED, target=CandidatureState.EXAMINATION)
    def examine(self) -> None:
        """ANCT asks for a complementary examination."""

    @transition(state, source=UNDECIDED, target=CandidatureState.VALIDATED)
    def validate(self) -> None:
        """ANCT grants posts (the first positive decision)."""

    @transition(state, source=UNDECIDED, target=CandidatureState.REFUSED)
    def refuse(self) -> None:
        """ANCT refuses the application."""

    @transition(state, source=UNDECIDED, target=CandidatureState.ABANDONED)
    def abandon(self) -> None:
        """The structure gives up its application."""

    @transition(state, source=UNDECIDED, target=CandidatureState.CANCELLED)
    def cancel(self) -> None:
        """ANCT cancels the application (for instance, submitted by mistake)."""

    @transition(state, source=UNDECIDED, target=CandidatureState.DUPLICATE)
    def mark_duplicate(self) -> None:
        """ANCT confirms that the application duplicates another one of the same SIRET."""

    @property
    def is_undecided(self) -> bool:
        return self.state in UNDECIDED

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        manager = scope.has_structure_role(self.structure_id, Role.GESTIONNAIRE)
        prefecture = self.structure.departement_id in scope.departement_codes
        undecided = self.is_undecided
        anct = scope.is_anct
        return {
            "view": anct or prefecture or manager,
            "give_opinion": prefecture and undecided,
            "examine": anct and self.state == CandidatureState.CREATED,
            "decide": anct and (undecided or self.state == CandidatureState.VALIDATED),
            "refuse": anct and undecided,
            "cancel": anct and undecided,
            "mark_duplicate": anct and undecided,
            "abandon": (manager or anct) and undecided,
            "recruit": manager and self.state == CandidatureState.VALIDATED,
        }


class CandidatureTransition(TransitionLog):
    # PROTECT: the database refuses to delete a log row, so a logged candidature stays.
    candidature = models.ForeignKey(
        Candidature, on_delete=models.PROTECT, related_name="transitions"
    )
    from_state = models.CharField("depuis", max_length=30, choices=CandidatureState.choices)
    to_state = models.CharField("vers", max_length=30, choices=CandidatureState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une candidature"
        verbose_name_plural = "changements d'état des candidatures"


class OpinionVerdict(models.TextChoices):
    FAVORABLE = "favorable", "Favorable"
    UNFAVORABLE = "defavorable", "Défavorable"


class PrefectureOpinion(models.Model):
    """The préfet's opinion. Amending it adds a row; the opinion in force is the latest one."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="opinions")
    verdict = models.CharField("avis", max_length=12, choices=OpinionVerdict.choices)
    comment = models.TextField(
        "commentaire", validators=[MinLengthValidator(10), MaxLengthValidator(1000)]
    )
    transfer_to = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="transfert proposé vers",
        help_text="Une autre structure à qui attribuer les postes, le cas échéant.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    created_at = models.DateTimeField("rendu le", auto_now_add=True)

    class Meta:
        verbose_name = "avis de la préfecture"
        verbose_name_plural = "avis des préfectures"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="opinion_comment_10_to_1000",
                condition=Q(GreaterThanOrEqual(Length("comment"), 10))
                & Q(LessThanOrEqual(Length("comment"), 1000)),
            )
        ]

    def __str__(self) -> str:
        return f"Avis {self.get_verdict_display().lower()} sur la candidature {self.candidature_id}"


class DecisionKind(models.TextChoices):
    INITIAL = "initiale", "Décision initiale"
    ADDITION = "ajout", "Avenant : ajout de postes"
    WITHDRAWAL = "retrait", "Avenant : retrait de postes"
    REFUSAL = "refus", "Refus"


class Decision(models.Model):
    """ANCT's decision (COSELEC) as a ledger row. The quota in force is the last positive one."""

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("nature", max_length=10, choices=DecisionKind.choices)
    posts_granted = models.PositiveIntegerField(
        "postes accordés",
        help_text="Le quota en vigueur de la candidature après cette décision (le nouveau total, "
        "pas l'écart) ; le quota de la structure est la somme de ceux de ses candidatures "
        "validées.",
    )
    number = models.CharField("numéro de décision", max_length=50)
    decided_on = models.DateField("date de décision")
    priority = models.BooleanField("prioritaire", default=False)
    observations = models.TextField("observations", blank=True)
    motive = models.CharField("motif de l'avenant", max_length=500, blank=True)
    # Within posts_granted, not beside it: a coordinator post is one of the envelope's subsidised
    # posts, so the envelope and the total quota keep counting every post once.
    coordinator_posts_granted = models.PositiveIntegerField(
        "dont postes de coordinateur",
        default=0,
        help_text="Parmi les postes accordés, ceux de conseillers coordinateurs (le nouveau "
        "total, pas l'écart).",
    )
    envelope_override = models.TextField(
        "justification du dépassement de l'enveloppe",
        blank=True,
        help_text="Obligatoire pour accorder au-delà de l'enveloppe du département.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="auteur"
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "décision de l'ANCT"
        verbose_name_plural = "décisions de l'ANCT"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="decision_coordinators_within_posts",
                condition=Q(coordinator_posts_granted__lte=models.F("posts_granted")),
                violation_error_message="Les postes de coordinateur font partie des postes "
                "accordés : ils ne peuvent pas être plus nombreux.",
            )
        ]

    def __str__(self) -> str:
        return f"Décision {self.number} : {count_fr(self.posts_granted, 'poste')}"


# --- SMIC ----------------------------------------------------------------------------------------


class SmicRate(models.Model):
    """The gross hourly SMIC from a date: a dated table, edited by ANCT in the admin."""

    valid_from = models.DateField("en vigueur à partir du", unique=True)
    hourly_gross = models.DecimalField(
        "SMIC horaire brut (€)", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = "taux du SMIC"
        verbose_name_plural = "taux du SMIC"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.hourly_gross} €/h depuis le {self.valid_from:%d/%m/%Y}"

    @classmethod
    def at(cls, day: datetime.date) -> SmicRate | None:
        return cls.objects.filter(valid_from__lte=day).order_by("-valid_from").first()

    def monthly_minimum(self, weekly_hours: Decimal) -> Decimal:
        """Monthly gross minimum for these weekly hours: hourly × hours × 52 / 12, to the cent.

        For 35 h at 11.88 €/h this gives 1,801.80 €, the official monthly SMIC.
        """
        return (self.hourly_gross * weekly_hours * 52 / 12).quantize(CENTS, ROUND_HALF_UP)


# --- Candidates, matches, contracts -------------------------------------------------------------


class Situation(models.TextChoices):
    DEMANDEUR_EMPLOI = "demandeur_emploi", "Demandeur d'emploi"
    EN_EMPLOI = "en_emploi", "En emploi"
    EN_FORMATION = "en_formation", "En formation"
    AUTRE = "autre", "Autre situation"


class CandidatQuerySet(models.QuerySet["Candidat"]):
    def available(self) -> CandidatQuerySet:
        """Candidates not currently holding a post (recruited, validated or ending one)."""
        return self.exclude(matches__state__in=OCCUPYING)


def cv_path(instance: Candidat, filename: str) -> str:
    # Never the uploader's file name in the path: it carries the person's name.
    return random_name("cv")


class Candidat(models.Model):
    """A person who registered to become a conseiller numérique (and who is one once recruited)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidat",
        verbose_name="compte",
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("adresse électronique", unique=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    situation = models.CharField("situation", max_length=20, choices=Situation.choices)
    available_from = models.DateField("disponible à partir du")
    departements = models.ManyToManyField(
        Departement, related_name="candidats", verbose_name="départements où travailler"
    )
    # Where the candidate lives: with max_distance_km, which structures are offered the candidate
    # (conseillers.matching).
    commune = models.ForeignKey(
        "core.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidats",
        verbose_name="commune de résidence",
    )
    max_distance_km = models.PositiveIntegerField(
        "distance maximale (km)",
        null=True,
        blank=True,
        help_text="Distance que vous acceptez de parcourir depuis votre commune. Sans distance, "
        "les structures des départements choisis vous sont proposées.",
    )
    pix_level = models.PositiveSmallIntegerField(
        "niveau PIX",
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="De 1 à 3.",
    )
    cv = models.FileField("CV", upload_to=cv_path, storage=uploads_storage, blank=True)
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)

    objects = CandidatQuerySet.as_manager()

    class Meta:
        verbose_name = "candidat"
        constraints = [
            models.CheckConstraint(
                name="candidat_pix_level_1_to_3", condition=models.Q(pix_level__range=(1, 3))
            )
        ]
        # The matching reads the farthest maximum, and the few who travel far, by this index.
        indexes = [models.Index(fields=["max_distance_km"], name="candidat_max_distance_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        # The CV is personal data, shown like the contact details: to the person, to ANCT, and to
        # the managers of a structure once it is in relation with the candidate (a match).
        # Without a CV, no query: lists of matches read this for every row.
        reader = bool(self.cv) and (
            scope.is_anct
            or (self.user_id is not None and self.user_id == user.pk)
            or self.matches.filter(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE)).exists()
        )
        return {"download_cv": reader}

    @property
    def cv_download_name(self) -> str:
        # Named after the person for whoever downloads it, never after the uploader's file.
        return f"CV {self.first_name} {self.last_name}.pdf"


class MatchState(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    INTERESTED = "interessee", "Intéressée"
    NOT_INTERESTED = "non_interessee", "Non intéressée"
    RECRUITED = "recrutee", "Recrutée (contrat saisi)"
    FINALISED = "finalisee", "Recrutement validé"
    RUPTURE_DECLARED = "nouvelle_rupture", "Rupture déclarée"
    RUPTURE_VALIDATED = "finalisee_rupture", "Rupture validée"
    ENDED = "terminee", "Terminée"
    UNAVAILABLE = "indisponible", "Candidat recruté ailleurs"
    # The same conseiller on the same post under a renewed convention, until ANCT validates it.
    RENEWAL = "renouvellement", "Renouvellement en attente de validation"


# The states that hold one of the structure's posts: the quota invariant counts them.
OCCUPYING = [MatchState.RECRUITED, MatchState.FINALISED, MatchState.RUPTURE_DECLARED]
OPEN = [MatchState.NEW, MatchState.INTERESTED, MatchState.NOT_INTERESTED]


class MatchQuerySet(models.QuerySet["Match"]):
    def occupying(self) -> MatchQuerySet:
        return self.filter(state__in=OCCUPYING)

    def visible_to(self, user: User) -> MatchQuerySet:
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
            | Q(structure__departement_id__in=scope.departement_codes)
            | Q(candidat__user=user)
        )


class Match(ConcurrentTransitionMixin, models.Model):
    """A mise en relation of a structure and a candidate, up to the end of the contract."""

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="matches", verbose_name="structure"
    )
    candidat = models.ForeignKey(
        Candidat, on_delete=models.PROTECT, related_name="matches", verbose_name="candidat"
    )
    state = FSMField("état", default=MatchState.NEW, choices=MatchState.choices, protected=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    state_changed_at = models.DateTimeField("état modifié le", auto_now_add=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = "mise en relation"
        verbose_name_plural = "mises en relation"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at", "id"], name="match_created_id")]
        constraints = [
            # One live match per pair: a renewal adds a match for the same pair, and the one it
            # replaces ends (terminee) when ANCT validates it.
            models.UniqueConstraint(
                fields=["structure", "candidat"],
                condition=~Q(state__in=["terminee", "renouvellement"]),
                name="match_unique_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidat} ↔ {self.structure}"

    @transition(
        state, source=[MatchState.NEW, MatchState.NOT_INTERESTED], target=MatchState.INTERESTED
    )
    def mark_interested(self) -> None:
        """The structure is interested in the candidate."""

    @transition(
        state, source=[MatchState.NEW, MatchState.INTERESTED], target=MatchState.NOT_INTERESTED
    )
    def mark_not_interested(self) -> None:
        """The structure is not interested."""

    @transition(state, source=MatchState.INTERESTED, target=MatchState.RECRUITED)
    def recruit(self) -> None:
        """The structure enters the contract (guarded by the quota and the SMIC in the service)."""

    @transition(state, source=MatchState.RECRUITED, target=MatchState.FINALISED)
    def finalise(self) -> None:
        """ANCT validates the recruitment."""

    @transition(state, source=MatchState.FINALISED, target=MatchState.RUPTURE_DECLARED)
    def declare_rupture(self) -> None:
        """The structure declares the end of the contract before its term."""

    @transition(state, source=MatchState.RUPTURE_DECLARED, target=MatchState.RUPTURE_VALIDATED)
    def validate_rupture(self) -> None:
        """ANCT validates the rupture: the post becomes vacant."""

    @transition(state, source=MatchState.FINALISED, target=MatchState.ENDED)
    def end(self) -> None:
        """The contract reached its term or was renewed."""

    @transition(state, source=MatchState.RENEWAL, target=MatchState.FINALISED)
    def validate_renewal(self) -> None:
        """ANCT validates the renewal: the conseiller holds the post under the new convention."""

    @transition(state, source=MatchState.RENEWAL, target=MatchState.ENDED)
    def drop_renewal(self) -> None:
        """The renewal was refused or withdrawn: this match never held the post."""

    @transition(state, source=OPEN, target=MatchState.UNAVAILABLE)
    def make_unavailable(self) -> None:
        """The candidate was recruited by another structure."""

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        manager = scope.has_structure_role(self.structure_id, Role.GESTIONNAIRE)
        anct = scope.is_anct
        state = self.state
        return {
            "view": anct
            or manager
            or self.structure.departement_id in scope.departement_codes
            or (self.candidat.user_id is not None and self.candidat.user_id == user.pk),
            "mark_interested": manager and state in (MatchState.NEW, MatchState.NOT_INTERESTED),
            "mark_not_interested": manager and state in (MatchState.NEW, MatchState.INTERESTED),
            "recruit": manager and state == MatchState.INTERESTED,
            "finalise": anct and state == MatchState.RECRUITED,
            "declare_rupture": manager and state == MatchState.FINALISED,
            "validate_rupture": anct and state == MatchState.RUPTURE_DECLARED,
            "end": (anct or manager) and state == MatchState.FINALISED,
        }


class MatchTransition(TransitionLog):
    # PROTECT: the database refuses to delete a log row, so a logged match stays.
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="transitions")
    from_state = models.CharField("depuis", max_length=30, choices=MatchState.choices)
    to_state = models.CharField("vers", max_length=30, choices=MatchState.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état d'une mise en relation"
        verbose_name_plural = "changements d'état des mises en relation"


class ContractType(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    PEC = "pec", "PEC (parcours emploi compétences)"
    PROJET = "contrat_projet", "Contrat de projet public"


class Contract(models.Model):
    match = models.OneToOneField(
        Match, on_delete=models.PROTECT, related_name="contract", verbose_name="mise en relation"
    )
    type = models.CharField("type de contrat", max_length=20, choices=ContractType.choices)
    start_date = models.DateField("date de début")
    end_date = models.DateField("date de fin", null=True, blank=True)
    gross_monthly_salary = models.DecimalField(
        "salaire brut mensuel (€)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    weekly_hours = models.DecimalField(
        "durée hebdomadaire (heures)",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("48"))],
    )
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "contrat"
        constraints = [
            models.CheckConstraint(
                name="contract_cdi_has_no_end",
                condition=~Q(type="cdi") | Q(end_date__isnull=True),
                violation_error_message="Un CDI n'a pas de date de fin.",
            ),
            models.CheckConstraint(
                name="contract_fixed_term_has_end_after_start",
                # NULL > date is unknown, which a CHECK accepts: the end date must be present.
                condition=Q(type="cdi")
                | (Q(end_date__isnull=False) & Q(end_date__gt=models.F("start_date"))),
                violation_error_message="Un contrat à durée déterminée a une date de fin "
                "postérieure à sa date de début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} du {self.start_date:%d/%m/%Y}"


class RuptureMotive(models.TextChoices):
    LICENCIEMENT = "licenciement", "Licenciement"
    NON_RECONDUCTION = "non_reconduction_cdd", "Non-reconduction de CDD"
    DEMISSION = "demission", "Démission"
    CDISATION = "cdisation", "CDIsation"
    FIN_SUBVENTION = "fin_subventionnement", "Fin de subventionnement"


class Rupture(models.Model):
    match = models.OneToOneField(
        Match, on_delete=models.PROTECT, related_name="rupture", verbose_name="mise en relation"
    )
    rupture_date = models.DateField("date de rupture")
    motive = models.CharField("motif", max_length=30, choices=RuptureMotive.choices)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="déclarée par",
    )
    declared_at = models.DateTimeField("déclarée le", auto_now_add=True)

    class Meta:
        verbose_name = "rupture de contrat"
        verbose_name_plural = "ruptures de contrat"

    def __str__(self) -> str:
        return f"Rupture du {self.rupture_date:%d/%m/%Y} ({self.get_motive_display()})"


class PostKind(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller numérique"
    COORDINATOR = "coordinateur", "Conseiller numérique coordinateur"


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, user: User) -> PostQuerySet:
        """ANCT everything; a préfecture its territory; a manager its structures' posts."""
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(structure__departement_id__in=scope.departement_codes)
            | Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
        )


class Post(models.Model):
    """One subsidised post of a structure, held by successive conseillers.

    A post is vacant from the validated rupture of its holder until a replacement is recruited;
    after the vacancy window (6 months) it is flagged to ANCT, and once its subsidy is closed for
    it (the subsidy's reconciliation) it is returned: never filled again.
    """

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="posts", verbose_name="structure"
    )
    holder = models.OneToOneField(
        Match,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="post",
        verbose_name="titulaire actuel",
    )
    # Chosen at the first recruitment and kept: a replacement fills a post of the same kind.
    kind = models.CharField(
        "nature du poste", max_length=12, choices=PostKind.choices, default=PostKind.CONSEILLER
    )
    vacant_since = models.DateField("vacant depuis", null=True, blank=True)
    flagged_at = models.DateTimeField("signalé à l'ANCT le", null=True, blank=True)
    returned_on = models.DateField("rendu le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = "poste"

    def __str__(self) -> str:
        return f"Poste n° {self.pk} – {self.structure}"

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        return {
            "view": scope.is_anct
            or self.structure.departement_id in scope.departement_codes
            or scope.has_structure_role(self.structure_id, Role.GESTIONNAIRE)
        }


class PostHolding(models.Model):
    """Each conseiller who held a post: the history the subsidy follows across replacements."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="holdings")
    match = models.OneToOneField(Match, on_delete=models.PROTECT, related_name="holding")
    started_on = models.DateField("début")
    ended_on = models.DateField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "occupation d'un poste"
        verbose_name_plural = "occupations des postes"
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"{self.match.candidat} sur le poste {self.post_id}"


# --- Training and certification ------------------------------------------------------------------


class CertificationStatus(models.TextChoices):
    NOT_STARTED = "non_commencee", "Non commencée"
    IN_PROGRESS = "en_cours", "En cours"
    OBTAINED = "obtenue", "Obtenue"
    FAILED = "echouee", "Non obtenue"


class Training(models.Model):
    """Initial training (105 to 420 h, paid 100 % by the State) and certification."""

    candidat = models.OneToOneField(
        Candidat, on_delete=models.PROTECT, related_name="training", verbose_name="conseiller"
    )
    initial_hours = models.PositiveIntegerField(
        "heures de formation initiale",
        validators=[MinValueValidator(105), MaxValueValidator(420)],
    )
    started_on = models.DateField("début de formation")
    ended_on = models.DateField("fin de formation", null=True, blank=True)
    ccp1_status = models.CharField(
        "CCP1 du titre REMN",
        max_length=15,
        choices=CertificationStatus.choices,
        default=CertificationStatus.NOT_STARTED,
    )
    ccp1_date = models.DateField("date du CCP1", null=True, blank=True)
    pix_status = models.CharField(
        "certification PIX",
        max_length=15,
        choices=CertificationStatus.choices,
        default=CertificationStatus.NOT_STARTED,
    )
    pix_date = models.DateField("date de la certification PIX", null=True, blank=True)
    cost = models.DecimalField(
        "coût de la formation (€, pris en charge à 100 %)",
        max_digits=9,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = "formation et certification"
        verbose_name_plural = "formations et certifications"
        constraints = [
            models.CheckConstraint(
                name="training_hours_105_to_420",
                condition=Q(initial_hours__gte=105) & Q(initial_hours__lte=420),
            )
        ]

    def __str__(self) -> str:
        return f"Formation de {self.candidat}"

    def get_abilities(self, user: User) -> dict[str, bool]:
        anct = user.scope.is_anct
        own = self.candidat.user_id is not None and self.candidat.user_id == user.pk
        return {"view": anct or own, "update": anct}
