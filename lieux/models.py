"""Places of activity (lieux de médiation numérique): where conseillers and aidants receive the
public, published on the public map and in the national open-data schema (lieux.opendata)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from core.models import Commune, Role, Structure, User
from lieux.vocabulary import Accessibility, Programme, Public, Service

# The subset of OpenStreetMap's opening_hours that the national schema's places use: rules
# separated by « ; », each days (Mo-Fr, Sa, Mo,We) then time spans or « off »; « PH off »; 24/7.
_DAY = r"(Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = rf"{_DAY}(-{_DAY})?(,{_DAY}(-{_DAY})?)*"
_TIME = r"([01]\d|2[0-4]):[0-5]\d"
_SPANS = rf"{_TIME}-{_TIME}(,{_TIME}-{_TIME})*"
_RULE = rf"({_DAYS} ({_SPANS}|off)|PH off|24/7)"
OPENING_HOURS = re.compile(rf"^{_RULE}(; {_RULE})*$")


def validate_opening_hours(value: str) -> None:
    if value and not OPENING_HOURS.match(value):
        raise ValidationError(
            "Horaires au format OpenStreetMap attendus, par exemple "
            "« Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00 »."
        )


def _check(values: object, choices: type[models.TextChoices]) -> None:
    if not isinstance(values, list):
        raise ValidationError("Une liste de valeurs est attendue.")
    unknown = [str(v) for v in values if v not in choices.values]
    if unknown:
        raise ValidationError(f"Valeur inconnue : {', '.join(unknown)}.")


def validate_services(values: object) -> None:
    _check(values, Service)


def validate_publics(values: object) -> None:
    _check(values, Public)


def validate_accessibility(values: object) -> None:
    _check(values, Accessibility)


class LieuQuerySet(models.QuerySet["Lieu"]):
    def public(self) -> LieuQuerySet:
        return self.filter(published=True, closed_on__isnull=True)

    def open(self) -> LieuQuerySet:
        return self.filter(closed_on__isnull=True)

    def with_programmes(self) -> LieuQuerySet:
        """Annotated with what `programmes` reads, in the same query."""
        return self.select_related("structure", "commune", "structure__habilitation").annotate(
            conseillers_count=models.Count("conseillers", distinct=True)
        )


# What a structure says of its place, in the order the form and the API present it.
DESCRIPTION_FIELDS = [
    "name",
    "address",
    "address_complement",
    "commune",
    "postal_code",
    "latitude",
    "longitude",
    "opening_hours",
    "services",
    "publics",
    "accessibility",
    "accessibility_url",
    "phone",
    "email",
    "website",
    "presentation",
    "conseillers",
    "published",
]


class Lieu(models.Model):
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="lieux", verbose_name="structure"
    )
    name = models.CharField("nom du lieu", max_length=200)
    address = models.CharField("adresse", max_length=255, help_text="Numéro et voie.")
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="lieux", verbose_name="commune"
    )
    postal_code = models.CharField("code postal", max_length=5)
    # Empty: the commune's reference point is shown instead (and said so).
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    opening_hours = models.CharField(
        "horaires d'ouverture",
        max_length=500,
        blank=True,
        validators=[validate_opening_hours],
        help_text="Au format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-17:00; "
        "Sa 09:00-12:00 » (Mo lundi, Tu mardi, We mercredi, Th jeudi, Fr vendredi, Sa samedi).",
    )
    services = models.JSONField("services proposés", default=list, validators=[validate_services])
    publics = models.JSONField(
        "publics spécifiquement accueillis",
        default=list,
        blank=True,
        validators=[validate_publics],
    )
    accessibility = models.JSONField(
        "prise en charge spécifique",
        default=list,
        blank=True,
        validators=[validate_accessibility],
    )
    accessibility_url = models.URLField(
        "fiche Accès libre", blank=True, help_text="Adresse de la fiche d'accessibilité du lieu."
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    website = models.URLField("site internet", blank=True)
    presentation = models.CharField("présentation", max_length=500, blank=True)
    conseillers = models.ManyToManyField(
        "conseillers.Candidat",
        blank=True,
        related_name="lieux",
        verbose_name="conseillers numériques qui y travaillent",
    )
    published = models.BooleanField(
        "publié",
        default=True,
        help_text="Visible sur la carte publique et dans les données ouvertes.",
    )
    # A place that activity records name is closed rather than deleted: the records keep it, the
    # public map and the open data no longer show it (the national schema has no closed state:
    # a place leaves the export).
    closed_on = models.DateField("fermé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = LieuQuerySet.as_manager()

    class Meta:
        verbose_name = "lieu de médiation numérique"
        verbose_name_plural = "lieux de médiation numérique"
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["published", "commune"], name="lieu_public_commune_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"

    def get_absolute_url(self) -> str:
        return reverse("lieux:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if not self.services:
            raise ValidationError({"services": "Choisissez au moins un service."})
        if self.commune_id and self.postal_code:
            codes = Commune.objects.filter(pk=self.commune_id).values_list(
                "postal_codes", flat=True
            )
            if codes and self.postal_code not in codes[0].split():
                raise ValidationError(
                    {"postal_code": "Ce code postal n'est pas celui de la commune choisie."}
                )

    @property
    def is_public(self) -> bool:
        return self.published and self.closed_on is None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        if self.commune.latitude is not None and self.commune.longitude is not None:
            return self.commune.latitude, self.commune.longitude
        return None

    @property
    def opening_hours_lines(self) -> list[str]:
        return opening_hours_fr(self.opening_hours)

    @property
    def programmes(self) -> list[str]:
        """National programmes of the place: conseillers numériques work there, its structure is
        habilitated for Aidants Connect, labelled France Services."""
        found = []
        if hasattr(self.structure, "habilitation"):
            found.append(Programme.AIDANTS_CONNECT.value)
        count = getattr(self, "conseillers_count", None)
        if count is None:
            count = self.conseillers.count()
        if count:
            found.append(Programme.CONSEILLERS_NUMERIQUES.value)
        if self.structure.france_services:
            found.append(Programme.FRANCE_SERVICES.value)
        return found

    def get_abilities(self, user: User) -> dict[str, bool]:
        return lieu_abilities(self.structure, user)


def lieu_abilities(structure: Structure, user: User) -> dict[str, bool]:
    """Who manages a structure's places: its gestionnaires and référents, and ANCT."""
    if not user.is_authenticated:
        return {"view": True, "create": False, "update": False, "delete": False}
    scope = user.scope
    manager = scope.is_anct or any(
        scope.has_structure_role(structure.pk, role) for role in (Role.GESTIONNAIRE, Role.REFERENT)
    )
    return {"view": True, "create": manager, "update": manager, "delete": manager}


DAY_NAMES = {
    "Mo": "lundi",
    "Tu": "mardi",
    "We": "mercredi",
    "Th": "jeudi",
    "Fr": "vendredi",
    "Sa": "samedi",
    "Su": "dimanche",
}


def _time_fr(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours)} h" + (f" {minutes}" if minutes != "00" else "")


def _days_fr(days: str) -> str:
    parts = []
    for item in days.split(","):
        first, _, last = item.partition("-")
        parts.append(f"du {DAY_NAMES[first]} au {DAY_NAMES[last]}" if last else DAY_NAMES[first])
    return ", ".join(parts)


def opening_hours_fr(value: str) -> list[str]:
    """The OpenStreetMap opening hours in French, one line per rule (empty if not valid)."""
    if not value or not OPENING_HOURS.match(value):
        return []
    lines = []
    for rule in value.split("; "):
        if rule == "24/7":
            lines.append("Tous les jours, 24 heures sur 24")
        elif rule == "PH off":
            lines.append("Fermé les jours fériés")
        else:
            days, spans = rule.split(" ", 1)
            label = _days_fr(days)
            if spans == "off":
                lines.append(f"{label[0].upper()}{label[1:]} : fermé")
            else:
                times = " et ".join(
                    f"de {_time_fr(a)} à {_time_fr(b)}"
                    for a, b in (span.split("-") for span in spans.split(","))
                )
                lines.append(f"{label[0].upper()}{label[1:]} : {times}")
    return lines
