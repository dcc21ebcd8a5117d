"""Every write of the activity reports: `activity_<action>(*, …, by)`, each in its transaction.

The form, the CSV import and the API all come here with typed values (dates, integers, `Theme`
rows); the rules that need more than one field are `check()`, so every path reports the same
French messages, keyed by field. The database's check constraints back them up.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from conseillers.abilities import require
from conseillers.activity.abilities import NOT_RECORDING, RecruitmentActivity
from conseillers.activity.models import (
    AGE_FIELDS,
    STATUS_FIELDS,
    Activity,
    ActivityKind,
    Equipment,
    PlaceKind,
    ReminderExemption,
    Theme,
    edit_deadline,
)
from conseillers.activity.selectors import MATCH_RELATED
from conseillers.models import Match
from core.models import User
from lieux.models import Lieu

# The fields a record is written with, in the order of the forms, the CSV and the API.
FIELDS = (
    "kind",
    "date",
    "duration_minutes",
    "place_kind",
    "lieu",
    "place_label",
    "commune_insee",
    "autonomy",
    "redirected",
    "redirected_to",
    "equipment",
    "participants",
    *AGE_FIELDS,
    *STATUS_FIELDS,
)
THEMES = "themes"
# One import or one API request writes at most this many records: one transaction, one answer.
BULK_MAX = 1000


@dataclass
class Entry:
    """One record to write: its recruitment, typed fields and themes."""

    match: Match
    fields: dict[str, Any]
    themes: Sequence[Theme] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int  # 0-based index of the entry
    field: str
    message: str


class EntriesInvalid(Exception):
    """At least one entry is invalid: nothing was written. Carries every error found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


def locked_message(day: datetime.date) -> str:
    deadline = edit_deadline(day)
    return (
        f"Les comptes rendus du {day:%d/%m/%Y} sont verrouillés depuis le"
        f" {deadline + datetime.timedelta(days=1):%d/%m/%Y} : ceux d'un mois se saisissent et se"
        f" modifient jusqu'au {deadline.day} du mois suivant."
    )


def check(activity: Activity, themes: Sequence[Theme], *, today: datetime.date) -> dict[str, str]:
    """The rules of a record, as French messages keyed by field (empty when valid)."""
    errors: dict[str, str] = {}
    try:
        activity.clean_fields(exclude=["match", "structure", "departement", "created_by", "lieu"])
    except ValidationError as error:
        errors.update({name: " ".join(messages) for name, messages in error.message_dict.items()})
    if not themes:
        errors[THEMES] = "Choisissez au moins un thème."
    elif inactive := [theme.label for theme in themes if not theme.active]:
        errors[THEMES] = f"Ce thème n'est plus proposé : {', '.join(inactive)}."
    if "date" not in errors and (message := _date_error(activity, today)):
        errors["date"] = message
    errors.update(_counts_errors(activity))
    if activity.lieu is not None and (message := _lieu_error(activity, activity.lieu)):
        errors["lieu"] = message
    if activity.redirected_to and not activity.redirected:
        errors["redirected_to"] = "Indiquez une structure seulement si la personne est réorientée."
    if unknown := [value for value in activity.equipment if value not in Equipment.values]:
        errors["equipment"] = f"Matériel inconnu : {', '.join(map(str, unknown))}."
    elif Equipment.NONE in activity.equipment and len(activity.equipment) > 1:
        errors["equipment"] = "« Aucun matériel » ne se combine pas avec un matériel."
    return errors


def _date_error(activity: Activity, today: datetime.date) -> str:
    day = activity.date
    if day > today:
        return "La date ne peut pas être dans le futur."
    if edit_deadline(day) < today:
        return locked_message(day)
    contract = getattr(activity.match, "contract", None)
    if contract is not None and day < contract.start_date:
        return f"La date précède le début du contrat ({contract.start_date:%d/%m/%Y})."
    rupture = getattr(activity.match, "rupture", None)
    end = rupture.rupture_date if rupture is not None else contract and contract.end_date
    if end is not None and day > end:
        return f"La date suit la fin du contrat ({end:%d/%m/%Y})."
    return ""


def _lieu_error(activity: Activity, lieu: Lieu) -> str:
    if activity.place_kind != PlaceKind.PLACE:
        return "Un lieu de la structure se choisit pour une activité dans un lieu d'activité."
    if lieu.structure_id != activity.match.structure_id:
        return "Ce lieu n'est pas un lieu de la structure du conseiller."
    if lieu.closed_on is not None and activity.date and activity.date > lieu.closed_on:
        return f"Ce lieu est fermé depuis le {lieu.closed_on:%d/%m/%Y}."
    return ""


def _named_after_lieu(activity: Activity) -> None:
    """A record in one of the structure's places takes its name and commune unless given."""
    lieu = activity.lieu
    if lieu is not None:
        activity.place_label = activity.place_label or lieu.name
        activity.commune_insee = activity.commune_insee or lieu.commune_id


def _counts_errors(activity: Activity) -> dict[str, str]:
    errors: dict[str, str] = {}
    individual = activity.kind == ActivityKind.INDIVIDUAL
    if individual:
        if activity.participants != 1:
            errors["participants"] = "Un accompagnement individuel concerne une seule personne."
        if not activity.autonomy:
            errors["autonomy"] = "Indiquez l'autonomie de la personne."
    elif activity.autonomy:
        errors["autonomy"] = "L'autonomie ne se renseigne que pour un accompagnement individuel."
    participants = activity.participants or 0
    for group, names, noun in (
        ("ages", AGE_FIELDS, "tranches d'âge"),
        ("statuses", STATUS_FIELDS, "statuts"),
    ):
        total = sum(getattr(activity, name) or 0 for name in names)
        if total != participants:
            errors[group] = (
                f"La somme des {noun} ({total}) doit égaler le nombre de participants"
                f" ({participants})."
            )
    return errors


def validate_entries(
    entries: Sequence[Entry], *, by: User
) -> tuple[list[Activity], list[RowError]]:
    """Builds the records of the entries (unsaved) and every error found, without a query."""
    today = timezone.localdate()
    allowed: dict[int, bool] = {}
    errors: list[RowError] = []
    activities = []
    for index, entry in enumerate(entries):
        match = entry.match
        if match.pk not in allowed:
            allowed[match.pk] = RecruitmentActivity(match).get_abilities(by)["record"]
        if not allowed[match.pk]:
            errors.append(RowError(index, "conseiller", NOT_RECORDING))
            continue
        activity = Activity(
            match=match,
            structure_id=match.structure_id,
            departement_id=match.structure.departement_id,
            created_by=by,
            **_known(entry.fields),
        )
        _named_after_lieu(activity)
        found = check(activity, entry.themes, today=today)
        errors.extend(RowError(index, name, message) for name, message in found.items())
        activities.append(activity)
    return activities, errors


def activities_record(*, entries: Sequence[Entry], by: User) -> list[Activity]:
    """Writes every entry or none (a CSV file, an API request): every error is reported at once.

    Queries do not grow with the entries: two inserts (the records, their themes) whatever their
    number. Each entry's match must come with `MATCH_RELATED` loaded (the selectors do).
    """
    if len(entries) > BULK_MAX:
        raise EntriesInvalid(
            [RowError(BULK_MAX, "", f"Au plus {BULK_MAX} comptes rendus à la fois.")]
        )
    activities, errors = validate_entries(entries, by=by)
    if errors:
        raise EntriesInvalid(errors)
    with transaction.atomic():
        Activity.objects.bulk_create(activities)
        Through = Activity.themes.through
        Through.objects.bulk_create(
            Through(activity_id=activity.pk, theme_id=theme.pk)
            for activity, entry in zip(activities, entries, strict=True)
            for theme in {theme.pk: theme for theme in entry.themes}.values()
        )
    return activities


def activity_record(*, match: Match, by: User, themes: Sequence[Theme], **fields: Any) -> Activity:
    """Records one accompaniment or workshop; raises ValidationError keyed by field."""
    try:
        (activity,) = activities_record(entries=[Entry(match, fields, themes)], by=by)
    except EntriesInvalid as invalid:
        if any(error.field == "conseiller" for error in invalid.errors):
            raise PermissionDenied(NOT_RECORDING) from None
        raise ValidationError(_by_field(invalid.errors)) from None
    return activity


def activity_update(
    *, activity: Activity, by: User, themes: Sequence[Theme], **fields: Any
) -> Activity:
    """Changes a record while its month is open (its abilities are read again under the lock)."""
    with transaction.atomic():
        locked = _lock(activity.pk)
        _require_change(locked, "update", by)
        for name, value in _known(fields).items():
            setattr(locked, name, value)
        _named_after_lieu(locked)
        if errors := check(locked, themes, today=timezone.localdate()):
            raise ValidationError(errors)
        locked.save()
        locked.themes.set(themes)
    return locked


def activity_delete(*, activity: Activity, by: User) -> None:
    with transaction.atomic():
        locked = _lock(activity.pk)
        _require_change(locked, "delete", by)
        locked.delete()


def exemption_declare(
    *, match: Match, start: datetime.date, end: datetime.date, motive: str, by: User
) -> ReminderExemption:
    """The employer declares the conseiller absent: no reminder counts those days."""
    require(RecruitmentActivity(match), "exempt", by)
    if end < start:
        raise ValidationError({"end": "La fin de l'absence précède son début."})
    exemption = ReminderExemption(match=match, start=start, end=end, motive=motive, created_by=by)
    exemption.full_clean(exclude=["match", "created_by"])
    exemption.save()
    return exemption


def exemption_delete(*, exemption: ReminderExemption, by: User) -> None:
    require(RecruitmentActivity(exemption.match), "exempt", by)
    exemption.delete()


def _lock(pk: int) -> Activity:
    # `of=self`: PostgreSQL refuses FOR UPDATE on the nullable side of the contract/rupture joins.
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related(*(f"match__{name}" for name in MATCH_RELATED))
        .get(pk=pk)
    )


def _require_change(activity: Activity, ability: str, by: User) -> None:
    if activity.get_abilities(by)[ability]:
        return
    if activity.is_locked() and activity.get_abilities(by)["view"]:
        raise PermissionDenied(locked_message(activity.date))
    raise PermissionDenied("Vous ne pouvez pas modifier ce compte rendu.")


def _known(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    return dict(fields)


def _by_field(errors: list[RowError]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error.field or "__all__", []).append(error.message)
    return found
