"""Activity reports (CRA): each individual accompaniment or collective workshop a conseiller gives.

Nothing here identifies the person helped: an individual accompaniment records an age bracket
and a status, never a name. A record is made under the recruitment (`Match`) of the conseiller at
a structure; its structure and département are copied at write time so the national figures
aggregate without joining through the recruitment.

The invariants of the counts (individual = one participant; the age brackets and the statuses each
sum to the participants) are database check constraints: the CSV import, the API and the form all
go through `conseillers.activity.services`, but the database is the last word.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Combinable
from django.utils import timezone

from conseillers.models import Match
from core.models import Departement, Role, Structure, User

# A record stays editable until the 10th of the month after its date, then locks: the month's
# national figures and the structures' justifications are drawn from it after that day, and the
# 10 days leave a conseiller back from a short leave time to complete last month.
EDIT_UNTIL_DAY_OF_NEXT_MONTH = 10

# A single accompaniment or workshop lasts at most a working day.
MAX_DURATION_MINUTES = 12 * 60
MAX_PARTICIPANTS = 500

insee_commune_validator = RegexValidator(
    r"^(?:\d{5}|2[AB]\d{3})$", "Le code INSEE d'une commune a cinq caractères (ex. 37261, 2A004)."
)


def edit_deadline(day: datetime.date) -> datetime.date:
    """The last day a record dated `day` may still be changed."""
    first_of_next = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_of_next.replace(day=EDIT_UNTIL_DAY_OF_NEXT_MONTH)


class ThemeGroup(models.TextChoices):
    MEDIATION = "mediation", "Médiation numérique"
    DEMARCHE = "demarche", "Démarche administrative"


class Theme(models.Model):
    """A theme of the national list (data: loaded by a migration, retired by `active`)."""

    code = models.SlugField("code", unique=True)
    label = models.CharField("libellé", max_length=100)
    group = models.CharField(
        "famille", max_length=10, choices=ThemeGroup.choices, default=ThemeGroup.MEDIATION
    )
    order = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    active = models.BooleanField("proposé", default=True)

    class Meta:
        verbose_name = "thème d'activité"
        verbose_name_plural = "thèmes d'activité"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label


class ActivityKind(models.TextChoices):
    INDIVIDUAL = "individuel", "Accompagnement individuel"
    COLLECTIVE = "collectif", "Atelier collectif"


class PlaceKind(models.TextChoices):
    PLACE = "lieu_activite", "Lieu d'activité"
    REMOTE = "a_distance", "À distance"
    HOME = "domicile", "À domicile"
    OTHER = "autre", "Autre lieu"


class Autonomy(models.TextChoices):
    ACCOMPANIED = "accompagne", "Entièrement accompagné"
    PARTLY = "partiellement_autonome", "Partiellement autonome"
    AUTONOMOUS = "autonome", "Autonome"


class Equipment(models.TextChoices):
    COMPUTER = "ordinateur", "Ordinateur"
    PHONE = "telephone", "Téléphone"
    TABLET = "tablette", "Tablette"
    OTHER = "autre", "Autre matériel"
    NONE = "aucun", "Aucun matériel"


# The participant count columns, in the order of the forms and the CSV; each group sums to the
# participants.
AGE_FIELDS: dict[str, str] = {
    "age_under_12": "Moins de 12 ans",
    "age_12_18": "12 à 18 ans",
    "age_18_35": "18 à 35 ans",
    "age_35_60": "35 à 60 ans",
    "age_over_60": "Plus de 60 ans",
}
STATUS_FIELDS: dict[str, str] = {
    "status_in_school": "Scolarisé",
    "status_unemployed": "Sans emploi",
    "status_employed": "En emploi",
    "status_retired": "Retraité",
    "status_unknown": "Non communiqué",
}


def _sum(fields: dict[str, str]) -> Combinable:
    names = list(fields)
    total: Combinable = F(names[0])
    for name in names[1:]:
        total = total + F(name)
    return total


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user: User) -> ActivityQuerySet:
        """ANCT all; a préfecture its territory; a manager its structures; a conseiller theirs."""
        scope = user.scope
        if scope.is_anct:
            return self.all()
        return self.filter(
            Q(departement_id__in=scope.departement_codes)
            | Q(structure_id__in=scope.structure_ids(Role.GESTIONNAIRE))
            | Q(match__candidat__user=user)
        )


def _count_field(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class Activity(models.Model):
    """A compte rendu d'activité: one individual accompaniment or one collective workshop."""

    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, related_name="activities", verbose_name="recrutement"
    )
    # Copied from the match at write time: the figures group by them over millions of rows.
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="activities", verbose_name="structure"
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name="département",
    )
    kind = models.CharField("type", max_length=10, choices=ActivityKind.choices)
    date = models.DateField("date")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    place_kind = models.CharField(
        "lieu", max_length=15, choices=PlaceKind.choices, default=PlaceKind.PLACE
    )
    place_label = models.CharField("nom du lieu", max_length=200, blank=True)
    # One of the structure's declared places (lieux), when the activity took place there.
    lieu = models.ForeignKey(
        "lieux.Lieu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="lieu de médiation numérique",
    )
    commune_insee = models.CharField(
        "commune (code INSEE)", max_length=5, blank=True, validators=[insee_commune_validator]
    )
    themes = models.ManyToManyField(Theme, related_name="activities", verbose_name="thèmes")
    autonomy = models.CharField(
        "autonomie de la personne", max_length=25, choices=Autonomy.choices, blank=True
    )
    redirected = models.BooleanField("réorientée vers une autre structure", default=False)
    redirected_to = models.CharField("structure de réorientation", max_length=200, blank=True)
    # A list of `Equipment` values (checked by the services): JSON, so that the embedded demo's
    # SQLite holds it as PostgreSQL does.
    equipment = models.JSONField("matériel utilisé", default=list, blank=True)
    participants = models.PositiveIntegerField(
        "participants",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTICIPANTS)],
    )
    age_under_12 = _count_field(AGE_FIELDS["age_under_12"])
    age_12_18 = _count_field(AGE_FIELDS["age_12_18"])
    age_18_35 = _count_field(AGE_FIELDS["age_18_35"])
    age_35_60 = _count_field(AGE_FIELDS["age_35_60"])
    age_over_60 = _count_field(AGE_FIELDS["age_over_60"])
    status_in_school = _count_field(STATUS_FIELDS["status_in_school"])
    status_unemployed = _count_field(STATUS_FIELDS["status_unemployed"])
    status_employed = _count_field(STATUS_FIELDS["status_employed"])
    status_retired = _count_field(STATUS_FIELDS["status_retired"])
    status_unknown = _count_field(STATUS_FIELDS["status_unknown"])
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="enregistré par",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "compte rendu d'activité"
        verbose_name_plural = "comptes rendus d'activité"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["match", "date"], name="activity_match_date"),
            models.Index(fields=["departement", "date"], name="activity_departement_date"),
            models.Index(fields=["structure", "date"], name="activity_structure_date"),
        ]
        constraints = [
            models.CheckConstraint(
                name="activity_duration_in_range",
                condition=Q(duration_minutes__gte=1)
                & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
            ),
            models.CheckConstraint(
                name="activity_participants_in_range",
                condition=Q(participants__gte=1) & Q(participants__lte=MAX_PARTICIPANTS),
            ),
            models.CheckConstraint(
                name="activity_individual_is_one_person",
                condition=~Q(kind=ActivityKind.INDIVIDUAL) | Q(participants=1),
            ),
            models.CheckConstraint(
                name="activity_ages_sum_to_participants",
                condition=Q(participants=_sum(AGE_FIELDS)),
            ),
            models.CheckConstraint(
                name="activity_statuses_sum_to_participants",
                condition=Q(participants=_sum(STATUS_FIELDS)),
            ),
            # Autonomy describes one person: required for an accompaniment, absent from a workshop.
            models.CheckConstraint(
                name="activity_autonomy_of_individual_only",
                condition=(Q(kind=ActivityKind.INDIVIDUAL) & ~Q(autonomy=""))
                | (Q(kind=ActivityKind.COLLECTIVE) & Q(autonomy="")),
            ),
            models.CheckConstraint(
                name="activity_lieu_only_in_a_place",
                condition=Q(lieu__isnull=True) | Q(place_kind=PlaceKind.PLACE),
            ),
            models.CheckConstraint(
                name="activity_redirection_named_only_if_redirected",
                condition=Q(redirected=True) | Q(redirected_to=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.date:%d/%m/%Y}"

    @property
    def editable_until(self) -> datetime.date:
        return edit_deadline(self.date)

    def is_locked(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.editable_until

    def get_abilities(self, user: User) -> dict[str, bool]:
        """Needs `match__candidat` loaded (the selectors do)."""
        scope = user.scope
        own = self.match.candidat.user_id is not None and self.match.candidat.user_id == user.pk
        manager = scope.has_structure_role(self.structure_id, Role.GESTIONNAIRE)
        # A structure's tool records for its conseillers through the manager's API token.
        may_change = (own or manager) and not self.is_locked()
        return {
            "view": scope.is_anct
            or own
            or manager
            or self.departement_id in scope.departement_codes,
            "update": may_change,
            "delete": may_change,
        }


class ExemptionMotive(models.TextChoices):
    LEAVE = "conges", "Congés"
    SICK = "maladie", "Arrêt maladie"
    PARENTAL = "parental", "Congé maternité, paternité ou parental"
    TRAINING = "formation", "Formation"
    OTHER = "autre", "Autre absence"


class ReminderExemption(models.Model):
    """A period the employer declares the conseiller absent: no reminder counts it."""

    match = models.ForeignKey(
        Match,
        on_delete=models.CASCADE,
        related_name="reminder_exemptions",
        verbose_name="conseiller",
    )
    start = models.DateField("du")
    end = models.DateField("au")
    motive = models.CharField("motif", max_length=10, choices=ExemptionMotive.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="déclarée par",
    )
    created_at = models.DateTimeField("déclarée le", auto_now_add=True)

    class Meta:
        verbose_name = "absence déclarée"
        verbose_name_plural = "absences déclarées"
        ordering = ["-start"]
        indexes = [models.Index(fields=["match", "end"], name="exemption_match_end")]
        constraints = [
            models.CheckConstraint(
                name="exemption_ends_after_start", condition=Q(end__gte=F("start"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_motive_display()} du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


class ReminderRecipient(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller"
    EMPLOYER = "employeur", "Employeur"


class ActivityReminder(models.Model):
    """A reminder sent: one per recruitment, recipient and silence (the day the silence began).

    The unique constraint is what makes the reminder task idempotent: a second run, a retried task
    or two beat instances insert nothing twice, so no one is reminded twice of the same silence.
    """

    match = models.ForeignKey(
        Match,
        on_delete=models.CASCADE,
        related_name="activity_reminders",
        verbose_name="conseiller",
    )
    recipient = models.CharField("destinataire", max_length=10, choices=ReminderRecipient.choices)
    silent_since = models.DateField("sans compte rendu depuis")
    sent_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "relance d'activité"
        verbose_name_plural = "relances d'activité"
        constraints = [
            models.UniqueConstraint(
                fields=["match", "recipient", "silent_since"], name="reminder_once_per_silence"
            )
        ]

    def __str__(self) -> str:
        return f"Relance {self.get_recipient_display().lower()} du {self.sent_at:%d/%m/%Y}"
