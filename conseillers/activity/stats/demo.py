"""Demo data of the figures: Camille's history from the start of her contract to the six weeks
`conseillers.activity.demo` writes, so that her post's tranche 2 (due at month 12) shows the
activity report of ten months, and the statistics pages a year's series; then the aggregates.

Idempotent: the history is written once (nothing is added when Camille has a record before the
six weeks); the aggregates are rebuilt on every run. Called by load_demo after the activity's demo.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from conseillers.activity.demo import CAMILLE, WEEKS
from conseillers.activity.models import Activity, ActivityKind, Autonomy, PlaceKind, Theme
from conseillers.activity.selectors import current_match
from core.models import User

from .refresh import figures_rebuild


def load(users: dict[str, User]) -> None:
    camille = User.objects.filter(email=CAMILLE).first()
    match = current_match(camille) if camille else None
    if match is not None:
        _history(match, camille)
    figures_rebuild(now=timezone.now())


def _history(match, camille) -> None:
    recent = timezone.localdate() - datetime.timedelta(weeks=WEEKS)
    if Activity.objects.filter(match=match, date__lt=recent).exists():
        return
    themes = list(Theme.objects.filter(active=True))
    chance = random.Random(2026)  # noqa: S311 (demo figures, the same on every machine)
    rows: list[tuple[Activity, list[Theme]]] = []
    day = match.contract.start_date
    common = {
        "match": match,
        "structure_id": match.structure_id,
        "departement_id": match.structure.departement_id,
        "created_by": camille,
        "place_label": "Médiathèque François-Mitterrand",
        "commune_insee": "37261",
    }
    while day < recent:
        if day.weekday() < 5 and day.month != 8:  # August off
            for _ in range(chance.randint(1, 4)):
                rows.append(
                    (
                        _individual(common, day, chance),
                        chance.sample(themes, 2)[: chance.randint(1, 2)],
                    )
                )
            if day.weekday() == 2:
                rows.append((_workshop(common, day), chance.sample(themes[:14], 2)))
        day += datetime.timedelta(days=1)
    Activity.objects.bulk_create([activity for activity, _ in rows])
    Through = Activity.themes.through
    Through.objects.bulk_create(
        Through(activity_id=activity.pk, theme_id=theme.pk)
        for activity, chosen in rows
        for theme in chosen
    )


def _individual(common: dict, day: datetime.date, chance: random.Random) -> Activity:
    return Activity(
        **common,
        date=day,
        kind=ActivityKind.INDIVIDUAL,
        duration_minutes=chance.choice([20, 30, 45, 60, 90]),
        place_kind=chance.choice([PlaceKind.PLACE] * 4 + [PlaceKind.REMOTE, PlaceKind.HOME]),
        autonomy=chance.choice(Autonomy.values),
        equipment=["telephone"],
        age_35_60=1,
        status_employed=1,
    )


def _workshop(common: dict, day: datetime.date) -> Activity:
    return Activity(
        **common,
        date=day,
        kind=ActivityKind.COLLECTIVE,
        duration_minutes=120,
        place_kind=PlaceKind.PLACE,
        equipment=["ordinateur"],
        participants=8,
        age_18_35=3,
        age_35_60=3,
        age_over_60=2,
        status_unemployed=4,
        status_retired=2,
        status_employed=2,
    )
