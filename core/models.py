"""Shared referential of both programmes: territory, people, structures and who may see what.

A structure hosting conseillers numériques and an organisation habilitée for Aidants Connect are
very often the same legal entity, so both modules point at the one `Structure` keyed by its SIRET.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from knox.models import AbstractAuthToken, get_digest_token
from knox.settings import CONSTANTS

from core.validators import validate_structure_identifier


class Zone(models.TextChoices):
    METRO = "metro", "Métropole"
    DROM = "drom", "Département et région d'outre-mer"
    COM = "com", "Collectivité d'outre-mer"


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région"
    )
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)
    chef_lieu_insee = models.CharField("chef-lieu (code INSEE)", max_length=5)
    population = models.PositiveIntegerField("population légale")
    communes_count = models.PositiveIntegerField("nombre de communes")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class CommuneQuerySet(models.QuerySet["Commune"]):
    def search(self, text: str) -> CommuneQuerySet:
        """Communes whose name starts with `text` (accents, case and hyphens ignored) or, for
        digits, one of whose postal codes starts with them; the most populated first."""
        text = text.strip()
        if text.isdigit():
            found = self.filter(postal_codes__regex=rf"(^| ){text}")
        else:
            key = SAINT.sub(lambda m: "saint" if m[1] == "st" else "sainte", search_key(text))
            if not key:
                return self.none()
            found = self.filter(Q(search_name__startswith=key) | Q(search_name__contains=f" {key}"))
        return found.order_by(models.F("population").desc(nulls_last=True), "code")

    def resolve(self, code: str) -> Commune | None:
        """The current commune of an INSEE code, following the code of a merged commune."""
        current = self.filter(code=code).first()
        if current is not None:
            return current
        old = CommuneOldCode.objects.select_related("commune").filter(code=code).first()
        return old.commune if old else None


# People type « St-Malo » or « Ste Maxime » for « Saint-Malo », « Sainte-Maxime ».
SAINT = re.compile(r"\b(st|ste)\b")


def search_key(text: str) -> str:
    """Lower case, no accents, hyphens or apostrophes: « Saint-Étienne » → « saint etienne »."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe")
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


class Commune(models.Model):
    """A current commune of the Code officiel géographique (see core/data/communes.SOURCE.md)."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    search_name = models.CharField("nom pour la recherche", max_length=100, db_index=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    # Space-separated: a commune has one to a few dozen postal codes (Paris, Marseille).
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    population = models.PositiveIntegerField("population légale", null=True, blank=True)
    # Reference point (town hall, else centre), WGS 84; empty where no source gives one.
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name", "code"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="commune_lat_lon_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"

    @property
    def label(self) -> str:
        first_postal_code = self.postal_codes.split(" ", 1)[0]
        return f"{self.name} ({first_postal_code or self.departement_id})"


def validate_commune_in(commune_code: str, departement_code: str) -> None:
    commune = Commune.objects.filter(code=commune_code).select_related("departement").first()
    if commune is not None and commune.departement_id != departement_code:
        raise ValidationError(
            {
                "commune": f"{commune.name} est dans le département {commune.departement}, "
                f"pas dans celui de la structure ({departement_code})."
            }
        )


class CommuneOldCode(models.Model):
    """The INSEE code of a commune merged into another (commune déléguée or associée)."""

    code = models.CharField("ancien code INSEE", max_length=5, primary_key=True)
    name = models.CharField("ancien nom", max_length=100)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="old_codes", verbose_name="commune actuelle"
    )

    class Meta:
        verbose_name = "ancien code de commune"
        verbose_name_plural = "anciens codes de communes"

    def __str__(self) -> str:
        return f"{self.code} {self.name} → {self.commune_id}"


class Role(models.TextChoices):
    ANCT = "anct", "Agent de l'ANCT"
    PREFECTURE = "prefecture", "Agent de préfecture"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire de structure"
    CONSEILLER = "conseiller", "Conseiller numérique"
    AIDANT = "aidant", "Aidant"
    REFERENT = "referent", "Référent Aidants Connect"


# The roles a person holds *in a structure*; the others come from the person's own profile.
MEMBERSHIP_ROLES = (Role.GESTIONNAIRE, Role.AIDANT, Role.REFERENT)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


@dataclass(frozen=True)
class UserScope:
    """What a person can reach, computed once per request: the single input of every ability."""

    is_anct: bool = False
    is_prefecture: bool = False
    departement_codes: frozenset[str] = frozenset()
    structure_roles: dict[int, frozenset[str]] = field(default_factory=dict)

    def structure_ids(self, *roles: str) -> set[int]:
        wanted = set(roles) or set(MEMBERSHIP_ROLES)
        return {sid for sid, held in self.structure_roles.items() if held & wanted}

    def has_structure_role(self, structure_id: int, *roles: str) -> bool:
        return structure_id in self.structure_ids(*roles)


class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # ApiToken derives from knox, which mypy cannot see
    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "accès à l'administration", default=False, help_text="Peut se connecter à l'administration."
    )
    is_anct = models.BooleanField(
        "agent de l'ANCT",
        default=False,
        help_text="Décide des candidatures, des enveloppes et des subventions au niveau national.",
    )
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @cached_property
    def scope(self) -> UserScope:
        if not self.is_authenticated or not self.is_active:
            return UserScope()
        structure_roles: dict[int, set[str]] = {}
        for structure_id, role in self.memberships.values_list("structure_id", "role"):
            structure_roles.setdefault(structure_id, set()).add(role)
        agent = PrefectureAgent.objects.filter(user=self).first()
        return UserScope(
            is_anct=self.is_anct,
            is_prefecture=agent is not None,
            departement_codes=agent.departement_codes() if agent else frozenset(),
            structure_roles={sid: frozenset(roles) for sid, roles in structure_roles.items()},
        )

    @cached_property
    def roles(self) -> list[str]:
        """The person's roles, in the order of `Role`, for the home page and the menus."""
        held = {role for roles in self.scope.structure_roles.values() for role in roles}
        if self.scope.is_anct:
            held.add(Role.ANCT)
        if self.scope.is_prefecture:  # the agent row the scope read already
            held.add(Role.PREFECTURE)
        if hasattr(self, "candidat"):
            held.add(Role.CONSEILLER)
        return [role for role in Role.values if role in held]


class PrefectureAgent(models.Model):
    """An agent of a préfecture: sees and acts on one département, or on every one of a région."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="prefecture_agent", verbose_name="agent"
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région"
    )

    class Meta:
        verbose_name = "agent de préfecture"
        verbose_name_plural = "agents de préfecture"
        constraints = [
            models.CheckConstraint(
                name="prefecture_agent_one_territory",
                condition=(Q(departement__isnull=False) & Q(region__isnull=True))
                | (Q(departement__isnull=True) & Q(region__isnull=False)),
                violation_error_message="Un agent de préfecture a un département ou une région, "
                "pas les deux.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.territory_label})"

    @property
    def territory_label(self) -> str:
        if self.departement_id:
            return f"préfecture {self.departement}"
        return f"préfecture de région {self.region}"

    def departement_codes(self) -> frozenset[str]:
        if self.departement_id:
            return frozenset({self.departement_id})
        return frozenset(
            Departement.objects.filter(region_id=self.region_id).values_list("code", flat=True)
        )


class StructureType(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    AUTRE_COLLECTIVITE = "autre_collectivite", "Autre collectivité"
    GIP = "gip", "GIP"
    PRIVEE = "privee", "Structure privée, association ou ESS"


class StructureQuerySet(models.QuerySet["Structure"]):
    def visible_to(self, user: User) -> StructureQuerySet:
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(departement_id__in=scope.departement_codes) | Q(pk__in=scope.structure_ids())
        )


class Structure(models.Model):
    # What a gestionnaire keeps up to date itself, on the pages and through the API.
    CONTACT_FIELDS: ClassVar[tuple[str, ...]] = (
        "address",
        "commune",
        "contact_email",
        "contact_phone",
    )
    # What envelopes, decisions and subsidy bonuses depend on: changed only by ANCT, with a
    # reason, through `core.services.structure_change_identity`, which logs each change.
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "siret",
        "type",
        "departement",
        "zrr",
        "qpv",
        "france_services",
    )

    siret = models.CharField(
        "SIRET (ou RIDET)",
        max_length=14,
        unique=True,
        help_text="14 chiffres ; en Nouvelle-Calédonie, le RIDET (9 ou 10 chiffres).",
    )
    name = models.CharField("raison sociale", max_length=255)
    type = models.CharField("type", max_length=20, choices=StructureType.choices)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="structures", verbose_name="département"
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    # Where candidates are measured from (conseillers.matching); in the structure's département.
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="commune",
    )
    contact_email = models.EmailField("adresse électronique de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    zrr = models.BooleanField("en zone de revitalisation rurale (ZRR)", default=False)
    qpv = models.BooleanField("en quartier prioritaire de la ville (QPV)", default=False)
    france_services = models.BooleanField("labellisée France Services", default=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.siret and self.departement_id:
            validate_structure_identifier(self.siret, self.departement_id)
        if self.commune_id and self.departement_id:
            validate_commune_in(self.commune_id, self.departement_id)

    @property
    def is_public(self) -> bool:
        return self.type != StructureType.PRIVEE

    def get_abilities(self, user: User) -> dict[str, bool]:
        """What `user` may do with this structure: read by the API and by the templates alike."""
        scope = user.scope
        member = self.pk in scope.structure_roles
        manager = scope.has_structure_role(self.pk, Role.GESTIONNAIRE)
        referent = scope.has_structure_role(self.pk, Role.REFERENT)
        prefecture = self.departement_id in scope.departement_codes
        return {
            "view": scope.is_anct or prefecture or member,
            # The contact fields only (CONTACT_FIELDS).
            "update": scope.is_anct or manager,
            # SIRET, département, type, territorial flags (IDENTITY_FIELDS).
            "change_identity": scope.is_anct,
            "manage_members": scope.is_anct or manager or referent,
            # A manager brings in a colleague as a manager of the same structure.
            "invite_manager": scope.is_anct or manager,
        }


class StructureIdentityChange(models.Model):
    """One change of a structure's identity by ANCT: who, when, each field from → to, why."""

    append_only_message: ClassVar[str] = (
        "Le journal des changements d'identité des structures est en ajout seul"
    )

    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="identity_changes",
        verbose_name="structure",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", default=timezone.now)
    reason = models.TextField("motif")
    # {"departement": {"avant": "37", "apres": "93"}, …}
    changes = models.JSONField("changements")

    class Meta:
        verbose_name = "changement d'identité d'une structure"
        verbose_name_plural = "changements d'identité des structures"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.structure} : {', '.join(self.changes)} ({self.at:%d/%m/%Y})"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def unexpired(self) -> ApiTokenQuerySet:
        return self.filter(expiry__gt=timezone.now())

    def create_token(self, *, user: User, name: str, ttl: timedelta) -> tuple[ApiToken, str]:
        """Stores the digest and the first characters knox looks tokens up by; returns the
        clear-text token, which exists nowhere else."""
        digest, raw = get_digest_token()
        token = self.create(
            digest=digest,
            token_key=raw[: CONSTANTS.TOKEN_KEY_LENGTH],
            user=user,
            name=name,
            expiry=timezone.now() + ttl,
        )
        return token, raw


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored, it expires after
    API_TOKEN_TTL_HOURS, and a person holds one per device or client, named at creation."""

    # knox reaches a person's tokens by this name (it purges the expired ones on each use).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auth_token_set",
        verbose_name="titulaire",
    )
    name = models.CharField("nom", max_length=100)
    created = models.DateTimeField("créé le", auto_now_add=True)
    # Required, unlike knox's: a token that never expires cannot exist.
    expiry = models.DateTimeField("expire le")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="personne"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="memberships", verbose_name="structure"
    )
    role = models.CharField(
        "rôle", max_length=20, choices=[(r.value, r.label) for r in MEMBERSHIP_ROLES]
    )
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "rôle dans une structure"
        verbose_name_plural = "rôles dans les structures"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.structure}"


class WorkerHeartbeat(models.Model):
    """Last time a Celery worker ran the heartbeat task: tells /healthz whether workers run."""

    name = models.CharField("nom", max_length=100, unique=True)
    seen_at = models.DateTimeField("vu le")

    class Meta:
        verbose_name = "signal de vie d'un worker"
        verbose_name_plural = "signaux de vie des workers"

    def __str__(self) -> str:
        return f"{self.name} ({self.seen_at:%d/%m/%Y %H:%M})"


class OutboxMessageQuerySet(models.QuerySet["OutboxMessage"]):
    def due(self, now: datetime) -> OutboxMessageQuerySet:
        """Not delivered, not given up, and not published recently enough to be still on its way."""
        return self.filter(delivered_at__isnull=True, next_attempt_at__lte=now)


class OutboxMessage(models.Model):
    """A side effect decided by a write (an email, a follow-up task), recorded in the write's own
    transaction: the broker being down delays it, never loses it (see core.outbox)."""

    task_name = models.CharField("tâche", max_length=200)
    args = models.JSONField("arguments", default=list)
    created_at = models.DateTimeField("enregistré le", default=timezone.now)
    # When the sweep publishes it (again): now at first, later after each publication (the
    # message may be lost on its way) or after each failure (the backoff). None: given up.
    next_attempt_at = models.DateTimeField("prochaine tentative", null=True, default=timezone.now)
    published_at = models.DateTimeField("dernière publication", null=True, blank=True)
    delivered_at = models.DateTimeField("exécuté le", null=True, blank=True)
    attempts = models.PositiveIntegerField("exécutions en échec", default=0)
    last_error = models.TextField("dernière erreur", blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "effet différé (outbox)"
        verbose_name_plural = "effets différés (outbox)"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True),
                name="outbox_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"
