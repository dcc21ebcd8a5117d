"""Aidants Connect: organisations habilitées, aidants, usagers, mandats and their journal.

A mandat binds an *organisation* (a `core.Structure`) and an usager, never a single aidant: every
habilitated aidant of the organisation may act under it. The journal is the legal audit trail: the
database itself refuses to edit or delete it, and each entry seals the previous one with a hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time
import unicodedata
import zlib
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django_fsm import FSMField, transition
from django_otp.models import Device, ThrottlingMixin

from core.models import Role, Structure, StructureType, User
from core.transitions import TransitionLog
from mandats import card_seeds, journal_chain, journal_seal
from mandats.abilities import (
    Abilities,
    OrganisationAbilities,
    autorisation_abilities,
    carte_abilities,
    habilitation_request_abilities,
    mandat_abilities,
    organisation_request_abilities,
    usager_mandat_abilities,
)
from mandats.journal_chain import (
    CHAIN,
    GENESIS_HASH,
    ID,
    NATIONAL_CHAIN,
    ROW_COLUMNS,
    SEQUENCE,
    ChainCheck,
    chain_label,
    chain_of,
)

# Aidants and référents both work under the organisation's mandates; only aidants act for usagers.
MANDAT_ROLES = (Role.AIDANT, Role.REFERENT)
# The clock drift a TOTP code may show, in 30-second steps either side: the app's (mandats.otp)
# and the cards' alike.
TOTP_TOLERANCE_STEPS = 1


class Demarche(models.TextChoices):
    PAPIERS = "papiers", "Papiers - Citoyenneté - Élections"
    FAMILLE = "famille", "Famille - Scolarité"
    SOCIAL = "social", "Social - Santé"
    TRAVAIL = "travail", "Travail - Formation"
    LOGEMENT = "logement", "Logement"
    TRANSPORTS = "transports", "Transports - Mobilité"
    ARGENT = "argent", "Argent - Impôts - Consommation"
    JUSTICE = "justice", "Justice"
    ETRANGER = "etranger", "Étranger - Europe"
    LOISIRS = "loisirs", "Loisirs - Sport - Culture"


def all_demarches() -> list[str]:
    return list(Demarche.values)


class MandatDuration(models.TextChoices):
    ONE_DAY = "jour", "1 jour"
    ONE_MONTH = "mois", "1 mois"
    SIX_MONTHS = "semestre", "6 mois"
    TWELVE_MONTHS = "annee", "12 mois"

    @property
    def days(self) -> int:
        return _DURATION_DAYS[self]

    @property
    def delta(self) -> timedelta:
        return timedelta(days=self.days)


_DURATION_DAYS = {
    MandatDuration.ONE_DAY: 1,
    MandatDuration.ONE_MONTH: 31,
    MandatDuration.SIX_MONTHS: 182,
    MandatDuration.TWELVE_MONTHS: 365,
}
# The organisation is reminded before these mandates expire; a one-day mandate needs no reminder.
REMINDED_DURATIONS = (MandatDuration.SIX_MONTHS, MandatDuration.TWELVE_MONTHS)


def _hmac_hex(purpose: str, value: str) -> str:
    """Keyed hash of `value`. The key must outlive SECRET_KEY rotations, hence a dedicated setting;
    the SECRET_KEY fallback only suits the demo and the tests."""
    secret = settings.AIDANTS_CONNECT_HASH_KEY or settings.SECRET_KEY
    key = hashlib.sha256(f"mandats.{purpose}:{secret}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- Organisations and aidants ----------------------------------------------------------------


class HabilitatedOrganisation(models.Model):
    """A structure habilitated for Aidants Connect, with the démarches its aidants may use."""

    structure = models.OneToOneField(
        Structure,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="habilitation",
        verbose_name="structure",
    )
    habilitated_at = models.DateTimeField("habilitée le", default=timezone.now)
    allowed_demarches = models.JSONField(
        "démarches autorisées",
        default=all_demarches,
        help_text="Le référent peut restreindre les démarches ouvertes aux aidants.",
    )

    class Meta:
        verbose_name = "organisation habilitée"
        verbose_name_plural = "organisations habilitées"

    def __str__(self) -> str:
        return str(self.structure)

    def clean(self) -> None:
        super().clean()
        validate_demarches(self.allowed_demarches)

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        return OrganisationAbilities(self.pk).get_abilities(user)

    @property
    def allowed_demarche_choices(self) -> list[tuple[str, str]]:
        allowed = set(self.allowed_demarches)
        return [(code, label) for code, label in Demarche.choices if code in allowed]


def validate_demarches(codes: object) -> None:
    if not isinstance(codes, list) or not codes:
        raise ValidationError("Choisissez au moins une démarche.")
    unknown = sorted(set(map(str, codes)) - set(Demarche.values))
    if unknown:
        raise ValidationError(f"Démarche inconnue : {', '.join(unknown)}.")


class AidantProfile(models.Model):
    """The organisation an aidant currently works for, among those where they are aidant."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="aidant_profile", verbose_name="aidant"
    )
    current_organisation = models.ForeignKey(
        Structure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation courante",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "profil d'aidant"
        verbose_name_plural = "profils d'aidants"

    def __str__(self) -> str:
        return f"{self.user} – {self.current_organisation or 'aucune organisation'}"


class HabilitationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Demande déposée"
    VALIDATED = "validated", "Habilitation validée"
    REFUSED = "refused", "Demande refusée"


# django-fsm types its guards for any model and any kind of user: these narrow, then read the
# same ability keys and condition as the services.


def _may_validate(instance: models.Model, user: object) -> bool:
    return (
        isinstance(instance, HabilitationRequest)
        and isinstance(user, User)
        and instance.get_abilities(user)["validate"]
    )


def _may_refuse(instance: models.Model, user: object) -> bool:
    return (
        isinstance(instance, HabilitationRequest)
        and isinstance(user, User)
        and instance.get_abilities(user)["refuse"]
    )


def _is_complete(instance: models.Model) -> bool:
    return isinstance(instance, HabilitationRequest) and instance.is_complete()


class HabilitationRequest(models.Model):
    """An organisation asks the ANCT to habilitate one of its professionals as an aidant."""

    organisation = models.ForeignKey(
        HabilitatedOrganisation,
        on_delete=models.PROTECT,
        related_name="habilitation_requests",
        verbose_name="organisation",
    )
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    profession = models.CharField("profession", max_length=150)
    training_done = models.BooleanField("formation suivie", default=False)
    training_date = models.DateField("date de la formation", null=True, blank=True)
    pix_passed = models.BooleanField("test PIX réussi", default=False)
    status = FSMField(
        "statut",
        max_length=20,
        choices=HabilitationStatus.choices,
        default=HabilitationStatus.SUBMITTED,
        protected=True,
    )
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="déposée par",
    )
    aidant = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="habilitation_requests",
        verbose_name="compte de l'aidant",
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande d'habilitation"
        verbose_name_plural = "demandes d'habilitation"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status=HabilitationStatus.SUBMITTED),
                name="habilitation_request_one_pending_per_email",
                violation_error_message="Une demande est déjà en cours pour cette personne.",
            ),
            models.CheckConstraint(
                name="habilitation_request_training_dated",
                condition=Q(training_done=False) | Q(training_date__isnull=False),
                violation_error_message="Indiquez la date de la formation suivie.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_status_display()})"

    def is_complete(self) -> bool:
        return self.training_done and self.training_date is not None and self.pix_passed

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        return habilitation_request_abilities(user)

    @transition(
        field=status,
        source=HabilitationStatus.SUBMITTED,
        target=HabilitationStatus.VALIDATED,
        conditions=[_is_complete],
        permission=_may_validate,
    )
    def validate(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field=status,
        source=HabilitationStatus.SUBMITTED,
        target=HabilitationStatus.REFUSED,
        permission=_may_refuse,
    )
    def refuse(self) -> None:
        self.decided_at = timezone.now()


class HabilitationTransition(TransitionLog):
    """One row per change of a habilitation request: who, when, from, to and why. The submission
    is logged too, from the empty state. Append-only in the database (migration 0003)."""

    # PROTECT: the database refuses to delete a log row, so a request with a history stays.
    request = models.ForeignKey(
        HabilitationRequest,
        on_delete=models.PROTECT,
        related_name="transitions",
        verbose_name="demande",
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "changement de statut d'une demande d'habilitation"
        verbose_name_plural = "changements de statut des demandes d'habilitation"


# --- Physical TOTP cards ---------------------------------------------------------------------


class CarteTOTPStatus(models.TextChoices):
    STOCK = "stock", "En stock"
    ASSOCIATED = "associee", "Associée à un aidant"
    LOST = "perdue", "Perdue"


class CarteTOTPQuerySet(models.QuerySet["CarteTOTP"]):
    def in_stock(self) -> CarteTOTPQuerySet:
        return self.filter(status=CarteTOTPStatus.STOCK)


class CarteTOTP(models.Model):
    """A physical TOTP card the ANCT hands out to aidants without a smartphone. The seed is
    stored encrypted (mandats.card_seeds): whoever reads the table cannot compute a code."""

    serial_number = models.CharField("numéro de série", max_length=64, unique=True)
    encrypted_seed = models.TextField("graine chiffrée", editable=False)
    status = FSMField(
        "statut",
        max_length=10,
        choices=CarteTOTPStatus.choices,
        default=CarteTOTPStatus.STOCK,
        protected=True,
    )
    organisation = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cartes_totp",
        verbose_name="organisation",
    )
    aidant = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cartes_totp",
        verbose_name="aidant",
    )
    loaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="chargée par"
    )
    created_at = models.DateTimeField("chargée le", default=timezone.now)
    associated_at = models.DateTimeField("associée le", null=True, blank=True)
    lost_at = models.DateTimeField("déclarée perdue le", null=True, blank=True)
    # Too many wrong codes typed for this card (mandats.cards): no association until the ANCT,
    # having checked who holds the card, unlocks it; failures count again from the unlocking.
    association_locked_at = models.DateTimeField("association bloquée le", null=True, blank=True)
    association_unlocked_at = models.DateTimeField(
        "association débloquée le", null=True, blank=True
    )

    objects = CarteTOTPQuerySet.as_manager()

    class Meta:
        verbose_name = "carte TOTP"
        verbose_name_plural = "cartes TOTP"
        ordering = ["serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["aidant"],
                condition=Q(status=CarteTOTPStatus.ASSOCIATED),
                name="carte_totp_one_per_aidant",
                violation_error_message="Cet aidant a déjà une carte associée.",
            ),
            models.CheckConstraint(
                name="carte_totp_associated_has_aidant",
                condition=Q(status=CarteTOTPStatus.STOCK)
                | (Q(aidant__isnull=False) & Q(organisation__isnull=False))
                | Q(status=CarteTOTPStatus.LOST),
                violation_error_message="Une carte associée désigne un aidant et son organisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"Carte {self.serial_number} ({self.get_status_display()})"

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        return carte_abilities(user, organisation_id=self.organisation_id)

    @transition(field=status, source=CarteTOTPStatus.STOCK, target=CarteTOTPStatus.ASSOCIATED)
    def associate(self) -> None:
        self.associated_at = timezone.now()

    @transition(
        field=status,
        source=[CarteTOTPStatus.STOCK, CarteTOTPStatus.ASSOCIATED],
        target=CarteTOTPStatus.LOST,
    )
    def declare_lost(self) -> None:
        self.lost_at = timezone.now()


class CarteTOTPTransition(TransitionLog):
    """One row per change of a card's status: loaded in stock (from the empty state), associated,
    declared lost; who, when, from, to. Append-only in the database (migration 0013)."""

    carte = models.ForeignKey(
        CarteTOTP, on_delete=models.PROTECT, related_name="transitions", verbose_name="carte"
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "changement de statut d'une carte TOTP"
        verbose_name_plural = "changements de statut des cartes TOTP"


class CarteAssociationFailure(models.Model):
    """A wrong code, or a serial number of no card in stock, typed to associate a card: counted
    per card and per référent (mandats.cards), so that nobody tries the million codes of a card
    they hold, or the serial numbers of cards they do not. Never edited nor deleted."""

    append_only_message: ClassVar[str] = "Les échecs d'association de cartes sont en ajout seul"

    carte = models.ForeignKey(
        CarteTOTP,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="association_failures",
        verbose_name="carte",
    )
    serial_number = models.CharField("numéro de série saisi", max_length=64)
    referent = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="référent"
    )
    organisation = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="+", verbose_name="organisation"
    )
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "échec d'association d'une carte TOTP"
        verbose_name_plural = "échecs d'association des cartes TOTP"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["carte", "at"], name="carte_failure_by_card"),
            models.Index(fields=["referent", "at"], name="carte_failure_by_referent"),
        ]

    def __str__(self) -> str:
        return f"{self.serial_number} – {self.at:%d/%m/%Y %H:%M}"


class CarteTOTPDevice(ThrottlingMixin, Device):
    """The card as django-otp sees it once associated: the second factor of its aidant, checked
    like the app (same drift tolerance, drift remembered, one use per code, growing delay after
    wrong codes). Unconfirmed once the card is declared lost."""

    carte = models.OneToOneField(
        CarteTOTP, on_delete=models.PROTECT, related_name="device", verbose_name="carte"
    )
    drift = models.SmallIntegerField("dérive (pas de 30 s)", default=0)
    last_t = models.BigIntegerField("dernier pas accepté", default=-1)

    class Meta(Device.Meta):
        verbose_name = "carte TOTP d'un aidant"
        verbose_name_plural = "cartes TOTP des aidants"

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        totp = card_seeds.totp(self.carte.encrypted_seed, drift=self.drift)
        totp.time = time.time()  # read at the call, so that tests can move the clock
        try:
            verified = bool(totp.verify(int(str(token)), TOTP_TOLERANCE_STEPS, self.last_t + 1))
        except ValueError:
            verified = False
        if not verified:
            self.throttle_increment(commit=True)
            return False
        self.last_t, self.drift = totp.t(), totp.drift
        self.throttle_reset(commit=False)
        self.save()
        return True

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)


# --- Usagers ----------------------------------------------------------------------------------


def years_before(moment: datetime, years: int) -> datetime:
    """The same date `years` earlier: the start of a retention period counted in years."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


class Gender(models.TextChoices):
    FEMALE = "female", "Femme"
    MALE = "male", "Homme"


class UsagerQuerySet(models.QuerySet["Usager"]):
    def visible_to(self, user: User) -> UsagerQuerySet:
        return self.filter(Exists(Mandat.objects.visible_to(user).filter(usager=OuterRef("pk"))))


def fold_search(text: str) -> str:
    """Lower case without accents: « Zoé Lefèvre » and « zoe lefevre » are the same search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Usager(models.Model):
    """A citizen's pivot identity as FranceConnect gave it. The `sub` is kept only as a keyed hash:
    enough to recognise the same person at the next login, useless to anyone without the key."""

    given_names = models.CharField("prénoms", max_length=255)
    family_name = models.CharField("nom de naissance", max_length=255, blank=True)
    preferred_username = models.CharField("nom d'usage", max_length=255, blank=True)
    birthdate = models.DateField("date de naissance")
    birthplace = models.CharField(
        "lieu de naissance (code INSEE)",
        max_length=5,
        blank=True,
        help_text="Vide pour une personne née à l'étranger.",
    )
    birthcountry = models.CharField("pays de naissance (code INSEE)", max_length=5)
    gender = models.CharField("sexe", max_length=6, choices=Gender.choices)
    email = models.EmailField("adresse électronique", blank=True)
    sub_hash = models.CharField("empreinte de l'identifiant FranceConnect", max_length=64)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    # Last FranceConnect login: personal data is kept while the person keeps coming back.
    last_seen_at = models.DateTimeField("dernière connexion FranceConnect", default=timezone.now)
    # The three names folded (lower case, no accents), written on every save: the aidant's search
    # reads this one column, which a trigram index serves on PostgreSQL.
    search_name = models.TextField("noms (recherche)", blank=True, default="", editable=False)

    objects = UsagerQuerySet.as_manager()

    class Meta:
        verbose_name = "usager"
        ordering = ["family_name", "given_names", "pk"]
        # The purge reads only the usagers not seen for six years.
        indexes = [models.Index(fields=["last_seen_at"], name="usager_last_seen")]
        constraints = [
            models.UniqueConstraint(fields=["sub_hash"], name="usager_unique_sub_hash"),
            models.CheckConstraint(
                name="usager_birthplace_insee",
                condition=Q(birthplace="") | Q(birthplace__regex=r"^[0-9][0-9AB][0-9]{3}$"),
                violation_error_message="Le lieu de naissance est un code INSEE de 5 caractères.",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold_search(
            " ".join([self.given_names, self.family_name, self.preferred_username])
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        family = self.preferred_username or self.family_name
        return f"{self.given_names} {family}".strip()

    @staticmethod
    def hash_sub(sub: str) -> str:
        return _hmac_hex("franceconnect-sub", sub)

    @property
    def journal_ref(self) -> str:
        """Pseudonymous reference copied into the journal: stable across a purge (derived from the
        FranceConnect identity), meaningless without the key."""
        return _hmac_hex("journal-usager", self.sub_hash)


# --- Mandats and autorisations ----------------------------------------------------------------


class MandatQuerySet(models.QuerySet["Mandat"]):
    def active(self, at: datetime | None = None) -> MandatQuerySet:
        at = at or timezone.now()
        unrevoked = Autorisation.objects.filter(mandat=OuterRef("pk"), revoked_at__isnull=True)
        return self.filter(expires_at__gt=at).filter(Exists(unrevoked))

    def for_organisation(self, organisation: Structure | HabilitatedOrganisation) -> MandatQuerySet:
        return self.filter(organisation_id=organisation.pk)

    def visible_to(self, user: User) -> MandatQuerySet:
        # Mirrors Mandat.get_abilities()["view"]: a test keeps the two in step.
        return self.filter(organisation_id__in=user.scope.structure_ids(*MANDAT_ROLES))

    def with_end(self) -> MandatQuerySet:
        """Annotates `ended_at`: the expiry, or the last revocation once every autorisation is
        revoked (a mandate revoked early ends early, and so does its retention period)."""
        autorisations = Autorisation.objects.filter(mandat=OuterRef("pk"))
        last_revocation = Subquery(
            autorisations.values("mandat").annotate(last=Max("revoked_at")).values("last")[:1]
        )
        fully_revoked_end = Least(F("expires_at"), Coalesce(last_revocation, F("expires_at")))
        return self.annotate(
            ended_at=models.Case(
                models.When(
                    Exists(autorisations.filter(revoked_at__isnull=True)), then=F("expires_at")
                ),
                default=fully_revoked_end,
            )
        )


class Mandat(models.Model):
    organisation = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="mandats", verbose_name="organisation"
    )
    usager = models.ForeignKey(
        Usager, on_delete=models.PROTECT, related_name="mandats", verbose_name="usager"
    )
    created_at = models.DateTimeField("signé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    duration = models.CharField("durée", max_length=10, choices=MandatDuration.choices)
    is_remote = models.BooleanField("signé à distance", default=False)
    legal_text_version = models.CharField("version du texte du mandat", max_length=20)
    content_hash = models.CharField("empreinte de l'attestation", max_length=64)
    renewed_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name="renouvelle le mandat",
    )
    expiration_reminder_sent_at = models.DateTimeField(
        "rappel d'expiration envoyé le", null=True, blank=True
    )

    objects = MandatQuerySet.as_manager()

    class Meta:
        verbose_name = "mandat"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="mandat_expires_after_creation",
                condition=Q(expires_at__gt=F("created_at")),
                violation_error_message="Un mandat expire après sa signature.",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "expires_at"]),
            # The daily reminders read only the long mandates not yet reminded, by expiry.
            models.Index(
                fields=["expires_at"],
                name="mandat_reminder_pending",
                condition=Q(
                    expiration_reminder_sent_at__isnull=True, duration__in=REMINDED_DURATIONS
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Mandat n° {self.pk}"

    def is_expired(self, at: datetime | None = None) -> bool:
        return self.expires_at <= (at or timezone.now())

    def is_active(self, at: datetime | None = None) -> bool:
        # Reads the prefetched autorisations when there are some, so lists stay in constant queries.
        return not self.is_expired(at) and any(
            a.revoked_at is None for a in self.autorisations.all()
        )

    def has_revocation(self) -> bool:
        """At least one démarche revoked: there is a revocation to attest."""
        return any(a.revoked_at is not None for a in self.autorisations.all())

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        """What `user` may do with this mandate: the one source of truth for views and services."""
        return mandat_abilities(user, organisation_id=self.organisation_id)

    def get_usager_abilities(self, usager: Usager) -> Abilities:
        """What the usager logged in with FranceConnect may do with this mandate."""
        return usager_mandat_abilities(mandat_usager_id=self.usager_id, usager_id=usager.pk)


class AutorisationQuerySet(models.QuerySet["Autorisation"]):
    def active(self, at: datetime | None = None) -> AutorisationQuerySet:
        return self.filter(revoked_at__isnull=True, mandat__expires_at__gt=at or timezone.now())

    def visible_to(self, user: User) -> AutorisationQuerySet:
        return self.filter(mandat__in=Mandat.objects.visible_to(user))


class Autorisation(models.Model):
    mandat = models.ForeignKey(
        Mandat, on_delete=models.CASCADE, related_name="autorisations", verbose_name="mandat"
    )
    demarche = models.CharField("démarche", max_length=16, choices=Demarche.choices)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoquée par",
    )

    objects = AutorisationQuerySet.as_manager()

    class Meta:
        verbose_name = "autorisation"
        ordering = ["demarche"]
        constraints = [
            models.UniqueConstraint(
                fields=["mandat", "demarche"], name="autorisation_one_per_demarche"
            ),
            models.CheckConstraint(
                name="autorisation_revoked_by_needs_date",
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
            ),
        ]
        indexes = [
            # "Is the mandate still in force": the reminders, the purge and the lists ask it.
            models.Index(
                fields=["mandat"],
                name="autorisation_unrevoked",
                condition=Q(revoked_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_demarche_display()} ({self.mandat})"

    def is_active(self, at: datetime | None = None) -> bool:
        return self.revoked_at is None and not self.mandat.is_expired(at)

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        return autorisation_abilities(user, organisation_id=self.mandat.organisation_id)


# --- Journal ----------------------------------------------------------------------------------


class JournalAction(models.TextChoices):
    AIDANT_LOGIN = "aidant_login", "Connexion d'un aidant"
    USAGER_FRANCECONNECT = "usager_franceconnect", "Connexion FranceConnect d'un usager"
    MANDAT_CREATED = "mandat_created", "Création d'un mandat"
    AUTORISATION_CREATED = "autorisation_created", "Création d'une autorisation"
    AUTORISATION_USED = "autorisation_used", "Utilisation d'une autorisation"
    AUTORISATION_REVOKED = "autorisation_revoked", "Révocation d'une autorisation"
    MANDAT_REVOKED = "mandat_revoked", "Révocation d'un mandat"
    MANDAT_RENEWED = "mandat_renewed", "Renouvellement d'un mandat"
    MANDAT_TRANSFERRED = "mandat_transferred", "Transfert d'un mandat"
    ORGANISATION_SWITCHED = "organisation_switched", "Changement d'organisation d'un aidant"
    USAGER_PURGED = "usager_purged", "Purge des données personnelles d'un usager"
    AIDANT_DEACTIVATED = "aidant_deactivated", "Désactivation du compte d'un aidant"
    AIDANT_REACTIVATED = "aidant_reactivated", "Réactivation du compte d'un aidant"
    AIDANT_REMOVED = "aidant_removed", "Retrait d'un aidant de l'organisation"
    CARTE_ASSOCIATED = "carte_associated", "Association d'une carte TOTP à un aidant"
    CARTE_LOST = "carte_lost", "Déclaration de perte d'une carte TOTP"
    CARTE_ASSOCIATION_LOCKED = (
        "carte_association_locked",
        "Blocage de l'association d'une carte TOTP (codes erronés)",
    )
    CARTE_ASSOCIATION_UNLOCKED = (
        "carte_association_unlocked",
        "Déblocage de l'association d'une carte TOTP",
    )
    ORGANISATION_REQUEST_DECIDED = (
        "organisation_request_decided",
        "Décision sur la demande d'habilitation d'une organisation",
    )


_CHAIN_CONSTRAINT = "journalentry_one_sequence_per_chain"
# With the chain, names "this chain of the journal" for pg_advisory_xact_lock(int4, int4) across
# every process (crc32 shifted into int4's range).
_JOURNAL_LOCK_KEY = zlib.crc32(b"mandats.journalentry") - 2**31
# Each failed attempt means another appender of the chain got in: more than this many in a row
# is a chain under a load no organisation produces.
_APPEND_ATTEMPTS = 50


@dataclass(frozen=True)
class JournalBreak:
    entry_id: int | None  # None: the entry is missing, or a checkpoint is at fault
    sequence: int
    reason: str
    chain: int = NATIONAL_CHAIN

    def describe(self) -> str:
        where = f" ({chain_label(self.chain)})"
        if self.entry_id is None:
            return f"{self.reason}{where}."
        return (
            f"première entrée invalide n° {self.sequence} (id {self.entry_id}) : "
            f"{self.reason}{where}."
        )


class JournalQuerySet(models.QuerySet["JournalEntry"]):
    def first_break(self) -> JournalBreak | None:
        """Walks every chain in order, in this process, and returns the first entry that does
        not verify (`mandats.journal_walk` does the same in parallel for verify_journal)."""
        check = ChainCheck(
            legacy_until=JournalSealCutover.legacy_until(),
            national_until=JournalChainCutover.national_until(),
        )
        rows = self.order_by("chain", "sequence").values_list(*ROW_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            if row[CHAIN] != check.chain:
                check.start(row[CHAIN])
            reason = check.problem(row)
            if reason is not None:
                return JournalBreak(row[ID], row[SEQUENCE], reason, row[CHAIN])
        return None


class JournalSealCutover(models.Model):
    """Where unkeyed seals stop: the last entry written before keyed seals existed, recorded once
    by the migration that introduced them (0 on a database created after). Append-only; several
    rows (forged ones) only lower the bound, and every checkpoint carries it."""

    append_only_message: ClassVar[str] = "La bascule des sceaux du journal est en ajout seul"

    last_legacy_sequence = models.PositiveBigIntegerField("dernier numéro scellé sans clé")
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "bascule des sceaux du journal"
        verbose_name_plural = "bascules des sceaux du journal"

    def __str__(self) -> str:
        return f"sceaux sans clé jusqu'au n° {self.last_legacy_sequence}"

    @classmethod
    def legacy_until(cls) -> int:
        # No row (a database emptied by the tests' flush): no unkeyed seal is accepted at all.
        bound = cls.objects.aggregate(bound=models.Min("last_legacy_sequence"))["bound"]
        return bound or 0


class JournalChainCutover(models.Model):
    """Where the single national chain stops being the whole journal: its last entry before the
    journal was split into one chain per organisation, recorded once by the migration that split
    it (0 on a database created after). The national chain's entries up to it keep the sealed
    form they were written in; every later entry seals its chain. Append-only; several rows only
    lower the bound (later entries would then fail, never pass), and every checkpoint carries
    it."""

    append_only_message: ClassVar[str] = "La bascule du journal en chaînes est en ajout seul"

    last_national_sequence = models.PositiveBigIntegerField("dernier numéro de la chaîne unique")
    recorded_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "bascule du journal en chaînes par organisation"
        verbose_name_plural = "bascules du journal en chaînes par organisation"

    def __str__(self) -> str:
        return f"chaîne unique jusqu'au n° {self.last_national_sequence}"

    @classmethod
    def national_until(cls) -> int:
        bound = cls.objects.aggregate(bound=models.Min("last_national_sequence"))["bound"]
        return bound or 0


class JournalAnchorRun(models.Model):
    """Bookkeeping of the anchoring task: which chain heads its last checkpoint holds, so the next
    run writes only the heads that moved. Not a proof (the checkpoint files are): a row lost or
    changed only makes a run anchor again what was anchored already."""

    anchored_at = models.DateTimeField("ancré le")
    name = models.CharField("point d'ancrage", max_length=100)
    heads = models.JSONField("têtes ancrées (numéro par chaîne)", default=dict)

    class Meta:
        verbose_name = "ancrage du journal"
        verbose_name_plural = "ancrages du journal"
        ordering = ["-anchored_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class JournalEntry(models.Model):
    """One event of the audit trail. Append-only: database triggers refuse UPDATE, DELETE and
    TRUNCATE. The journal is one chain per organisation (`mandats.journal_chain`): each entry is
    sealed with a keyed hash (see `mandats.journal_seal`) covering the previous one's of its
    chain, and the heads of the chains are anchored outside the database
    (`mandats.journal_anchors`).

    Usagers and mandates are referred to by plain ids and a pseudonymous reference, never by
    foreign key: their rows are purged after six years while the journal must stay untouched.
    """

    # The organisation's id, or NATIONAL_CHAIN: a plain number, sealed with the entry.
    chain = models.PositiveBigIntegerField("chaîne", editable=False)
    sequence = models.PositiveBigIntegerField("numéro dans la chaîne", editable=False)
    created_at = models.DateTimeField("le", editable=False)
    action = models.CharField("événement", max_length=32, choices=JournalAction.choices)
    # Recorded facts, not links the database checks: a foreign key would make every append lock
    # the organisation's and the author's rows (KEY SHARE) and check them at commit, the largest
    # cost of an append after the commit itself. Accounts and structures are never deleted (they
    # are deactivated), and PROTECT still stops Django from deleting one the journal names.
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation",
        db_constraint=False,
        # The index (organisation, created_at) serves every read by organisation.
        db_index=False,
    )
    usager_id = models.PositiveBigIntegerField("usager (identifiant)", null=True, blank=True)
    usager_ref = models.CharField("usager (référence pseudonyme)", max_length=64, blank=True)
    mandat_id = models.PositiveBigIntegerField("mandat (identifiant)", null=True, blank=True)
    autorisation_id = models.PositiveBigIntegerField(
        "autorisation (identifiant)", null=True, blank=True
    )
    demarche = models.CharField("démarche", max_length=16, choices=Demarche.choices, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    previous_hash = models.CharField("empreinte précédente", max_length=64, editable=False)
    entry_hash = models.CharField("empreinte", max_length=64, editable=False)
    # Which key of JOURNAL_SEAL_KEYS sealed the entry; empty for the unkeyed legacy seal.
    seal_key_id = models.CharField("clé de scellement", max_length=32, blank=True, editable=False)

    objects = JournalQuerySet.as_manager()
    append_only_message: ClassVar[str] = "Le journal Aidants Connect est en ajout seul"

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "entrées du journal"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="journalentry_one_sequence_per_chain"
            )
        ]
        indexes = [
            models.Index(fields=["usager_id"]),
            models.Index(fields=["mandat_id"]),
            models.Index(fields=["organisation", "created_at"]),
            # The anchoring task finds the chains that moved since its last run.
            models.Index(fields=["created_at"], name="journalentry_created_at"),
        ]

    def __str__(self) -> str:
        return (
            f"n° {self.sequence} – {self.get_action_display()} ({self.created_at:%d/%m/%Y %H:%M})"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Python-side mirror of the triggers: gives a clear error before reaching the database.
        if not self._state.adding:
            raise ValidationError("Le journal est en ajout seul : une entrée ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Le journal est en ajout seul : une entrée ne se supprime pas.")

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, "pk" if name == "id" else name) for name in ROW_COLUMNS)

    def canonical(self, *, national_until: int | None = None) -> bytes:
        if national_until is None:
            national_until = JournalChainCutover.national_until()
        return journal_chain.canonical(self.row(), national_until)

    def compute_hash(self, *, national_until: int | None = None) -> str:
        """The seal of the entry under the key it names."""
        return journal_seal.seal(self.canonical(national_until=national_until), self.seal_key_id)

    def seal_matches(self) -> bool:
        return journal_seal.seal_matches(self.canonical(), self.seal_key_id, self.entry_hash)

    @classmethod
    def draft(
        cls,
        action: JournalAction,
        *,
        actor: User | None,
        organisation: Structure | None,
        usager: Usager | None = None,
        mandat: Mandat | None = None,
        autorisation: Autorisation | None = None,
        demarche: str = "",
        details: dict[str, Any] | None = None,
    ) -> JournalEntry:
        """An entry not yet chained nor sealed: `append_many` does both."""
        return cls(
            chain=chain_of(organisation.pk if organisation else None),
            action=action,
            actor=actor,
            organisation=organisation,
            usager_id=usager.pk if usager else None,
            usager_ref=usager.journal_ref if usager else "",
            mandat_id=mandat.pk if mandat else None,
            autorisation_id=autorisation.pk if autorisation else None,
            demarche=demarche,
            details=details or {},
        )

    @classmethod
    def append(
        cls,
        action: JournalAction,
        *,
        actor: User | None,
        organisation: Structure | None,
        usager: Usager | None = None,
        mandat: Mandat | None = None,
        autorisation: Autorisation | None = None,
        demarche: str = "",
        details: dict[str, Any] | None = None,
    ) -> JournalEntry:
        entry = cls.draft(
            action,
            actor=actor,
            organisation=organisation,
            usager=usager,
            mandat=mandat,
            autorisation=autorisation,
            demarche=demarche,
            details=details,
        )
        cls.append_many([entry])
        return entry

    @classmethod
    def append_many(cls, entries: list[JournalEntry]) -> list[JournalEntry]:
        """Chains, seals and inserts drafts, in their order, each after the last entry of its
        chain: whatever their number, one read of the heads and one INSERT.

        No lock at first: two appenders of one chain that read the same head both try the same
        (chain, sequence), and the unique index lets only one in; the other (which waited for
        the first to commit) tries again, this time queued behind the chain's lock, so that a
        busy chain serialises its appenders instead of letting them all retry. Appenders of
        different chains never meet. Outside a transaction the first attempt's INSERT commits
        alone: two statements per entry."""
        if not entries:
            return entries
        if len(entries) == 1 and _append_after_head(entries[0]):
            return entries
        chains = sorted({entry.chain for entry in entries})
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                # A savepoint inside a transaction, so a refused INSERT does not abort it; a
                # transaction of its own to hold the chain's lock on a second attempt.
                atomic = connection.in_atomic_block or attempt
                with transaction.atomic() if atomic else nullcontext():
                    if attempt:
                        _lock_chains(chains)
                    return cls._insert_sealed(entries)
            except IntegrityError as error:
                if _CHAIN_CONSTRAINT not in str(error) and "journalentry.chain" not in str(error):
                    raise
        raise IntegrityError(f"{_CHAIN_CONSTRAINT}: trop d'écritures concurrentes d'une chaîne")

    @classmethod
    def _insert_sealed(cls, entries: list[JournalEntry]) -> list[JournalEntry]:
        heads = _chain_heads(sorted({entry.chain for entry in entries}))
        created_at, key_id = timezone.now(), journal_seal.current_key_id()
        for entry in entries:
            sequence, previous_hash = heads.get(entry.chain, (0, GENESIS_HASH))
            entry.sequence, entry.previous_hash = sequence + 1, previous_hash
            entry.created_at, entry.seal_key_id = created_at, key_id
            # Never the national form: the new entries of the national chain follow it.
            entry.entry_hash = entry.compute_hash(national_until=0)
            heads[entry.chain] = (entry.sequence, entry.entry_hash)
        if len(entries) == 1:
            # save() outside a transaction is one INSERT; bulk_create would open one.
            entries[0].save(force_insert=True)
        else:
            cls.objects.bulk_create(entries)
        _KNOWN_HEADS.remember(heads)
        return entries

    # Named constructors, one per event of the journal.

    @classmethod
    def log_aidant_login(cls, *, aidant: User, organisation: Structure | None) -> JournalEntry:
        return cls.append(JournalAction.AIDANT_LOGIN, actor=aidant, organisation=organisation)

    @classmethod
    def log_usager_franceconnect_login(
        cls, *, usager: Usager, organisation: Structure | None, by: User
    ) -> JournalEntry:
        return cls.append(
            JournalAction.USAGER_FRANCECONNECT, actor=by, organisation=organisation, usager=usager
        )

    @classmethod
    def log_mandat_created(cls, *, mandat: Mandat, by: User) -> JournalEntry:
        return cls.append(
            JournalAction.MANDAT_CREATED,
            actor=by,
            organisation=mandat.organisation,
            usager=mandat.usager,
            mandat=mandat,
            details=_mandat_details(mandat),
        )

    @classmethod
    def log_autorisation_created(cls, *, autorisation: Autorisation, by: User) -> JournalEntry:
        return cls._log_autorisation(JournalAction.AUTORISATION_CREATED, autorisation, by)

    @classmethod
    def log_autorisation_used(
        cls, *, autorisation: Autorisation, by: User, service: str = ""
    ) -> JournalEntry:
        details = {"service": service} if service else None
        return cls._log_autorisation(JournalAction.AUTORISATION_USED, autorisation, by, details)

    @classmethod
    def log_autorisation_revoked(
        cls, *, autorisation: Autorisation, by: User | None
    ) -> JournalEntry:
        return cls._log_autorisation(JournalAction.AUTORISATION_REVOKED, autorisation, by)

    @classmethod
    def log_mandat_revoked(cls, *, mandat: Mandat, by: User | None) -> JournalEntry:
        return cls.append(
            JournalAction.MANDAT_REVOKED,
            actor=by,
            organisation=mandat.organisation,
            usager=mandat.usager,
            mandat=mandat,
        )

    @classmethod
    def log_mandat_renewed(cls, *, previous: Mandat, mandat: Mandat, by: User) -> JournalEntry:
        return cls.append(
            JournalAction.MANDAT_RENEWED,
            actor=by,
            organisation=mandat.organisation,
            usager=mandat.usager,
            mandat=mandat,
            details={"renews_mandat_id": previous.pk, **_mandat_details(mandat)},
        )

    @classmethod
    def log_mandat_transferred(
        cls, *, mandat: Mandat, from_organisation: Structure, by: User
    ) -> JournalEntry:
        return cls.append(
            JournalAction.MANDAT_TRANSFERRED,
            actor=by,
            organisation=mandat.organisation,
            usager=mandat.usager,
            mandat=mandat,
            details={"from_organisation_id": from_organisation.pk},
        )

    @classmethod
    def log_organisation_switched(
        cls, *, aidant: User, from_organisation: Structure | None, to_organisation: Structure
    ) -> JournalEntry:
        return cls.append(
            JournalAction.ORGANISATION_SWITCHED,
            actor=aidant,
            organisation=to_organisation,
            details={"from_organisation_id": from_organisation.pk if from_organisation else None},
        )

    @classmethod
    def log_aidant_deactivated(
        cls, *, aidant: User, organisation: Structure, by: User
    ) -> JournalEntry:
        return cls._log_team(JournalAction.AIDANT_DEACTIVATED, aidant, organisation, by)

    @classmethod
    def log_aidant_reactivated(
        cls, *, aidant: User, organisation: Structure, by: User
    ) -> JournalEntry:
        return cls._log_team(JournalAction.AIDANT_REACTIVATED, aidant, organisation, by)

    @classmethod
    def log_aidant_removed(cls, *, aidant: User, organisation: Structure, by: User) -> JournalEntry:
        return cls._log_team(JournalAction.AIDANT_REMOVED, aidant, organisation, by)

    @classmethod
    def _log_team(
        cls, action: JournalAction, aidant: User, organisation: Structure, by: User
    ) -> JournalEntry:
        # The aidant is named by id: the actor column is whoever acted (the référent), and the
        # aidant's "last activity" must not count what others did to their account.
        return cls.append(
            action, actor=by, organisation=organisation, details={"aidant_id": aidant.pk}
        )

    @classmethod
    def log_carte_associated(cls, *, carte: CarteTOTP, by: User) -> JournalEntry:
        return cls.append(
            JournalAction.CARTE_ASSOCIATED,
            actor=by,
            organisation=carte.organisation,
            details={"serial_number": carte.serial_number, "aidant_id": carte.aidant_id},
        )

    @classmethod
    def log_carte_lost(cls, *, carte: CarteTOTP, by: User) -> JournalEntry:
        return cls.append(
            JournalAction.CARTE_LOST,
            actor=by,
            organisation=carte.organisation,
            details={"serial_number": carte.serial_number, "aidant_id": carte.aidant_id},
        )

    @classmethod
    def log_organisation_request_decision(
        cls, *, request: OrganisationRequest, transition: str, by: User
    ) -> JournalEntry:
        # Before validation the organisation does not exist: the national chain keeps it.
        return cls.append(
            JournalAction.ORGANISATION_REQUEST_DECIDED,
            actor=by,
            organisation=request.structure,
            details={
                "organisation_request_id": request.pk,
                "transition": transition,
                "status": request.status,
                "siret": request.siret,
            },
        )

    @classmethod
    def draft_usager_purged(cls, *, usager: Usager, mandat_ids: list[int]) -> JournalEntry:
        """A purge names no organisation: its entries go to the national chain, a batch of
        them at once (`append_many`)."""
        return cls.draft(
            JournalAction.USAGER_PURGED,
            actor=None,
            organisation=None,
            usager=usager,
            details={"mandat_ids": sorted(mandat_ids)},
        )

    @classmethod
    def _log_autorisation(
        cls,
        action: JournalAction,
        autorisation: Autorisation,
        by: User | None,
        details: dict[str, Any] | None = None,
    ) -> JournalEntry:
        mandat = autorisation.mandat
        return cls.append(
            action,
            actor=by,
            organisation=mandat.organisation,
            usager=mandat.usager,
            mandat=mandat,
            autorisation=autorisation,
            demarche=autorisation.demarche,
            details=details,
        )


def _mandat_details(mandat: Mandat) -> dict[str, Any]:
    """What the law asks the trail to keep about a mandate: its scope, term and attestation, never
    the usager's identity."""
    return {
        "demarches": sorted(a.demarche for a in mandat.autorisations.all()),
        "duration": mandat.duration,
        "expires_at": mandat.expires_at.astimezone(UTC).isoformat(),
        "is_remote": mandat.is_remote,
        "legal_text_version": mandat.legal_text_version,
        "content_hash": mandat.content_hash,
    }


def _lock_chains(chains: list[int]) -> None:
    # PostgreSQL: a transaction-scoped advisory lock per chain, taken only by an appender that
    # lost a race on that chain, in the chains' order (no deadlock between two batches). SQLite
    # serialises writers with its database lock.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, (c %% 2147483648)::int)) "
            "FROM (SELECT unnest(%s::bigint[]) AS c ORDER BY 1) AS chains",
            [_JOURNAL_LOCK_KEY, chains],
        )


class _KnownHeads(dict[int, tuple[int, str]]):
    """The last entry this process saw at the head of each chain: a guess, never trusted.

    An append after a guessed head inserts only if the database still holds that entry at that
    place (and no entry after it, by the unique sequence): a stale guess (another process
    appended, a transaction rolled back, a test database emptied) costs one more query, never a
    broken chain. Bounded, so a process that writes in every organisation keeps its memory."""

    LIMIT = 10_000

    def remember(self, heads: dict[int, tuple[int, str]]) -> None:
        if len(self) + len(heads) > self.LIMIT:
            self.clear()
        self.update(heads)


_KNOWN_HEADS = _KnownHeads()


def _append_after_head(entry: JournalEntry) -> bool:
    """Chains, seals and inserts one entry after the head of its chain in one statement (plus a
    read of the head when this process has no guess): the usual append. False when another
    appender got in first: `append_many` then re-reads the head, and queues behind the chain's
    lock if it must."""
    chain = entry.chain
    head = _KNOWN_HEADS.get(chain) or _chain_heads([chain]).get(chain, (0, GENESIS_HASH))
    entry.sequence, entry.previous_hash = head[0] + 1, head[1]
    entry.created_at, entry.seal_key_id = timezone.now(), journal_seal.current_key_id()
    entry.entry_hash = entry.compute_hash(national_until=0)
    inserted = _insert_if_head(entry)
    if inserted is None:
        _KNOWN_HEADS.pop(chain, None)
        return False
    entry.pk, entry._state.adding, entry._state.db = inserted, False, "default"
    _KNOWN_HEADS.remember({chain: (entry.sequence, entry.entry_hash)})
    return True


@functools.cache
def _inserted_fields() -> list[models.Field[Any, Any]]:
    return [f for f in JournalEntry._meta.concrete_fields if not f.primary_key]


@functools.cache
def _inserted_values_plan() -> list[tuple[str, Any]]:
    """Each inserted column's attribute and, where Django's preparation changes the value (JSON,
    aware datetimes), that field's `get_db_prep_save`; the other columns are ints and strings the
    append set itself, sent as they are. Half the cost of preparing every field on the hot path."""
    prepared = (models.JSONField, models.DateTimeField)
    return [
        (f.attname, f.get_db_prep_save if isinstance(f, prepared) else None)
        for f in _inserted_fields()
    ]


@functools.cache
def _insert_if_head_sql() -> str:
    table = connection.ops.quote_name(JournalEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in _inserted_fields())
    placeholders = ", ".join(_placeholder(f) for f in _inserted_fields())
    return (
        f"INSERT INTO {table} ({columns}) SELECT {placeholders} "  # noqa: S608 (names from the model, values bound)
        f"WHERE {_placeholder(JournalEntry._meta.get_field('sequence'))} = 1 "
        f"OR EXISTS (SELECT 1 FROM {table} "
        "WHERE chain = %s AND sequence = %s AND entry_hash = %s) "
        "ON CONFLICT (chain, sequence) DO NOTHING RETURNING id"
    )


def _placeholder(field: models.Field[Any, Any]) -> str:
    """On PostgreSQL a typed parameter: the statement is prepared once per connection
    (`_journal_cursor`), and an untyped NULL in a SELECT list would be taken for text."""
    if connection.vendor != "postgresql":
        return "%s"
    return f"%s::{field.cast_db_type(connection)}"


def _insert_if_head(entry: JournalEntry) -> int | None:
    """INSERT of the entry only if its previous hash is the seal of the entry just before it in
    its chain (or it is the chain's first); the unique (chain, sequence) lets no second entry
    take the same place. No exception on a lost race, so no savepoint inside a transaction."""
    values: list[Any] = [
        getattr(entry, name) if prepare is None else prepare(getattr(entry, name), connection)
        for name, prepare in _inserted_values_plan()
    ]
    guard: list[Any] = [entry.sequence, entry.chain, entry.sequence - 1, entry.previous_hash]
    with _journal_cursor() as cursor:
        cursor.execute(_insert_if_head_sql(), [*values, *guard])
        row = cursor.fetchone()
    return row[0] if row else None


def _journal_cursor() -> Any:
    """Django's cursor; on PostgreSQL, Django's same wrapper (the append is counted and logged as
    any query) around a cursor that binds on the server and prepares its statement: the
    journal's hottest statement is then parsed and planned once per connection, not once per
    entry (Django binds on the client, which cannot prepare). Only this cursor binds on the
    server, so `DATABASE_PREPARED_STATEMENTS` (the connection's threshold) prepares nothing else."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _preparing_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@functools.cache
def _preparing_cursor_class() -> type:
    from django.db.backends.postgresql import base
    from psycopg.types.numeric import Int8Dumper

    # Django's cursor binding on the server (typed loosely by the stubs).
    server_binding: Any = base.ServerBindingCursor

    class PreparingCursor(server_binding):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Every int as a bigint: psycopg types each by its size, and each set of types would
            # be a statement of its own (sequence 9 and sequence 40,000 alike).
            self.adapters.register_dumper(int, Int8Dumper)

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


def chains_sql(values: list[int]) -> tuple[str, list[Any]]:
    """A one-column relation `c` of the given chains, in one parameter whatever their number."""
    if connection.vendor == "postgresql":
        return "(SELECT unnest(%s::bigint[]) AS c)", [values]
    return "(SELECT value AS c FROM json_each(%s))", [json.dumps(values)]


def chain_heads(chains: list[int]) -> list[tuple[int, int, int, str]]:
    """(chain, sequence, id, seal) of the last entry of each chain that has one: one query, an
    index probe per chain (never a scan of a chain)."""
    source, params = chains_sql(chains)
    table = JournalEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.chain, e.sequence, e.id, e.entry_hash FROM {table} e JOIN ("  # noqa: S608
            f"SELECT h.c, (SELECT max(m.sequence) FROM {table} m WHERE m.chain = h.c) AS head "
            f"FROM {source} h) heads ON e.chain = heads.c AND e.sequence = heads.head",
            params,
        )
        return list(cursor.fetchall())


def _chain_heads(chains: list[int]) -> dict[int, tuple[int, str]]:
    if len(chains) == 1:  # the usual case, in its simplest query
        last = (
            JournalEntry.objects.filter(chain=chains[0])
            .order_by("-sequence")
            .values_list("sequence", "entry_hash")
            .first()
        )
        return {chains[0]: last} if last else {}
    return {chain: (sequence, seal) for chain, sequence, _, seal in chain_heads(chains)}


# --- Organisations asking to be habilitated ---------------------------------------------------


class OrganisationRequestStatus(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    INSTRUCTING = "en_instruction", "En instruction"
    CHANGES_REQUESTED = "modifications_demandees", "Modifications demandées"
    CHANGES_SUBMITTED = "modifications_soumises", "Modifications soumises"
    VALIDATED = "validee", "Validée"
    REFUSED = "refusee", "Refusée"
    CLOSED = "close", "Close"


# Named source groups: where the ANCT takes a request up, and every state not yet final.
REQUEST_TO_INSTRUCT = [OrganisationRequestStatus.NEW, OrganisationRequestStatus.CHANGES_SUBMITTED]
REQUEST_OPEN = [
    OrganisationRequestStatus.NEW,
    OrganisationRequestStatus.INSTRUCTING,
    OrganisationRequestStatus.CHANGES_REQUESTED,
    OrganisationRequestStatus.CHANGES_SUBMITTED,
]
# What the requester may change when the ANCT asks for modifications.
REQUEST_EDITABLE_FIELDS = (
    "name",
    "type",
    "address",
    "referent_first_name",
    "referent_last_name",
    "referent_phone",
    "aidants",
    "demarches",
)


def _address_confirmed(instance: models.Model) -> bool:
    return isinstance(instance, OrganisationRequest) and instance.email_confirmed_at is not None


class OrganisationRequest(models.Model):
    """An organisation asks, on a public form, to be habilitated for Aidants Connect: who it is,
    its future référent, the aidants to train and the démarches it wants. The ANCT instructs it
    (modifications may be asked, back and forth) and validates or refuses it."""

    siret = models.CharField("SIRET (ou RIDET)", max_length=14)
    name = models.CharField("raison sociale", max_length=255)
    type = models.CharField("type", max_length=20, choices=StructureType.choices)
    departement = models.ForeignKey(
        "core.Departement", on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    address = models.CharField("adresse", max_length=255)
    referent_first_name = models.CharField("prénom du référent", max_length=150)
    referent_last_name = models.CharField("nom du référent", max_length=150)
    referent_email = models.EmailField("adresse électronique du référent")
    referent_phone = models.CharField("téléphone du référent", max_length=20, blank=True)
    # [{"first_name", "last_name", "email", "profession"}, …]
    aidants = models.JSONField("aidants à former", default=list)
    demarches = models.JSONField("démarches souhaitées", default=list)
    status = FSMField(
        "statut",
        max_length=30,
        choices=OrganisationRequestStatus.choices,
        default=OrganisationRequestStatus.NEW,
        protected=True,
    )
    email_confirmed_at = models.DateTimeField("adresse confirmée le", null=True, blank=True)
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation créée",
    )
    created_at = models.DateTimeField("déposée le", default=timezone.now)

    class Meta:
        verbose_name = "demande d'habilitation d'une organisation"
        verbose_name_plural = "demandes d'habilitation des organisations"
        ordering = ["created_at", "pk"]
        constraints = [
            # A SIRET asks once at a time: a second request is flagged, never silently merged.
            models.UniqueConstraint(
                fields=["siret"],
                condition=Q(status__in=REQUEST_OPEN),
                name="organisation_request_one_open_per_siret",
                violation_error_message="Une demande est déjà en cours pour ce SIRET.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        return organisation_request_abilities(user)

    @property
    def demarche_labels(self) -> list[str]:
        return [label for code, label in Demarche.choices if code in set(self.demarches)]

    @transition(
        field=status,
        source=REQUEST_TO_INSTRUCT,
        target=OrganisationRequestStatus.INSTRUCTING,
        conditions=[_address_confirmed],
    )
    def instruct(self) -> None:
        pass

    @transition(
        field=status,
        source=OrganisationRequestStatus.INSTRUCTING,
        target=OrganisationRequestStatus.CHANGES_REQUESTED,
    )
    def request_changes(self) -> None:
        pass

    @transition(
        field=status,
        source=OrganisationRequestStatus.CHANGES_REQUESTED,
        target=OrganisationRequestStatus.CHANGES_SUBMITTED,
    )
    def submit_changes(self) -> None:
        pass

    @transition(
        field=status,
        source=OrganisationRequestStatus.INSTRUCTING,
        target=OrganisationRequestStatus.VALIDATED,
    )
    def validate(self) -> None:
        pass

    @transition(
        field=status,
        source=OrganisationRequestStatus.INSTRUCTING,
        target=OrganisationRequestStatus.REFUSED,
    )
    def refuse(self) -> None:
        pass

    @transition(field=status, source=REQUEST_OPEN, target=OrganisationRequestStatus.CLOSED)
    def close(self) -> None:
        pass


class OrganisationRequestTransition(TransitionLog):
    """One row per change of an organisation's request; the requester, who has no account, acts
    through the link sent to the confirmed address (`system` says so). Append-only in the
    database (migration 0010)."""

    request = models.ForeignKey(
        OrganisationRequest,
        on_delete=models.PROTECT,
        related_name="transitions",
        verbose_name="demande",
    )

    class Meta(TransitionLog.Meta):
        verbose_name = "changement de statut d'une demande d'organisation"
        verbose_name_plural = "changements de statut des demandes d'organisations"


class MessageAuthor(models.TextChoices):
    ANCT = "anct", "ANCT"
    REQUESTER = "demandeur", "Demandeur"


class OrganisationRequestMessage(models.Model):
    """What the ANCT and the requester wrote to each other, kept on the request, never edited."""

    append_only_message: ClassVar[str] = "Les messages d'une demande sont en ajout seul"

    request = models.ForeignKey(
        OrganisationRequest,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name="demande",
    )
    author_kind = models.CharField("de la part de", max_length=10, choices=MessageAuthor.choices)
    author = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "message d'une demande d'organisation"
        verbose_name_plural = "messages des demandes d'organisations"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} – {self.created_at:%d/%m/%Y %H:%M}"
