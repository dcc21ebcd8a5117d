"""Demo data of the activity reports: Camille's last six weeks of accompaniments and workshops,
and one week of leave declared by the Ville de Tours. The records in a place name one of the
structure's places (lieux.demo, loaded before), a place a day.

The records are older than the edit window allows a person to enter (the service refuses a
locked month), so they are written as an import of history would be: built here, consistent
with every check constraint, inserted in bulk. Idempotent: nothing is added once Camille has
records. Called by load_demo after the subsidy's demo.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from conseillers.activity import services
from conseillers.activity.models import (
    AGE_FIELDS,
    STATUS_FIELDS,
    Activity,
    ActivityKind,
    Autonomy,
    Equipment,
    ExemptionMotive,
    PlaceKind,
    ReminderExemption,
    Theme,
)
from conseillers.activity.selectors import current_match, lieux_for
from core.models import User
from lieux.models import Lieu

CAMILLE = "conseiller@demo.inclusion.gouv.fr"
MANAGER = "gestionnaire@demo.inclusion.gouv.fr"
WEEKS = 6
LEAVE = (15, 11)  # the leave: from 15 days ago, for 5 days


def load(users: dict[str, User]) -> None:
    camille = User.objects.filter(email=CAMILLE).first()
    match = current_match(camille) if camille else None
    if camille is None or match is None or Activity.objects.filter(match=match).exists():
        return
    today = timezone.localdate()
    leave_start = today - datetime.timedelta(days=LEAVE[0])
    leave_end = today - datetime.timedelta(days=LEAVE[1])
    if not ReminderExemption.objects.filter(match=match).exists():
        services.exemption_declare(
            match=match,
            start=leave_start,
            end=leave_end,
            motive=ExemptionMotive.LEAVE,
            by=users[MANAGER],
        )
    themes = list(Theme.objects.filter(active=True))
    chance = random.Random(37261)  # noqa: S311 (demo figures, the same on every machine)
    rows: list[tuple[Activity, list[Theme]]] = []
    day = max(today - datetime.timedelta(weeks=WEEKS), match.contract.start_date)
    lieux: list[Lieu | None] = [*lieux_for(match)] or [None]
    while day < today:
        if day.weekday() < 5 and not leave_start <= day <= leave_end:
            # Camille's places (lieux.demo) in turn, a day each.
            rows += _day(match, camille, day, themes, chance, lieux[day.toordinal() % len(lieux)])
        day += datetime.timedelta(days=1)
    Activity.objects.bulk_create([activity for activity, _ in rows])
    Through = Activity.themes.through
    Through.objects.bulk_create(
        Through(activity_id=activity.pk, theme_id=theme.pk)
        for activity, chosen in rows
        for theme in chosen
    )


def _day(match, by, day, themes, chance, lieu: Lieu | None) -> list[tuple[Activity, list[Theme]]]:
    common = {"match": match, "structure_id": match.structure_id, "created_by": by, "date": day}
    common["departement_id"] = match.structure.departement_id
    in_lieu = _in_lieu(lieu)
    rows = []
    for _ in range(chance.randint(2, 4)):
        place_kind = chance.choice([PlaceKind.PLACE] * 4 + [PlaceKind.REMOTE, PlaceKind.HOME])
        activity = Activity(
            **common,
            kind=ActivityKind.INDIVIDUAL,
            duration_minutes=chance.choice([20, 30, 45, 60, 90]),
            place_kind=place_kind,
            **(in_lieu if place_kind == PlaceKind.PLACE else _in_lieu(None)),
            autonomy=chance.choice(Autonomy.values),
            equipment=[chance.choice([Equipment.PHONE, Equipment.COMPUTER, Equipment.TABLET])],
            participants=1,
            **{chance.choice(list(AGE_FIELDS)): 1, chance.choice(list(STATUS_FIELDS)): 1},
        )
        rows.append((activity, chance.sample(themes, chance.randint(1, 2))))
    if day.weekday() == 2:  # the Wednesday workshop
        ages = _split(chance, 8, list(AGE_FIELDS)[2:])
        statuses = _split(chance, 8, list(STATUS_FIELDS)[1:])
        workshop = Activity(
            **common,
            kind=ActivityKind.COLLECTIVE,
            duration_minutes=120,
            place_kind=PlaceKind.PLACE,
            **in_lieu,
            equipment=[Equipment.COMPUTER],
            participants=8,
            **ages,
            **statuses,
        )
        rows.append((workshop, chance.sample(themes[:14], 2)))
    return rows


def _in_lieu(lieu: Lieu | None) -> dict:
    if lieu is None:
        return {"lieu": None, "place_label": "", "commune_insee": "37261"}
    return {"lieu": lieu, "place_label": lieu.name, "commune_insee": lieu.commune_id}


def _split(chance: random.Random, total: int, names: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(names, 0)
    for _ in range(total):
        counts[chance.choice(names)] += 1
    return counts
