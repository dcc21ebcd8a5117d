import datetime

import pytest
from django.db import IntegrityError, transaction

from conseillers.activity.models import ActivityKind, Theme, edit_deadline
from tests.conseillers.activity.factories import ActivityFactory


def test_the_national_themes_are_loaded_in_order_with_french_labels(db):
    themes = list(Theme.objects.values_list("code", "label", "group"))
    assert len(themes) == 24
    assert themes[0] == ("materiel", "Prendre en main du matériel", "mediation")
    assert ("logement", "Démarche : logement", "demarche") in themes


@pytest.mark.parametrize(
    "fields",
    [
        # An individual accompaniment is one person.
        {"participants": 2, "age_35_60": 2, "status_employed": 2},
        # The age brackets, then the statuses, must account for every participant.
        {"age_35_60": 0},
        {"status_employed": 0, "status_retired": 2},
        # Autonomy is required for a person, absent from a workshop.
        {"autonomy": ""},
        {"kind": ActivityKind.COLLECTIVE},
        {"redirected_to": "France Services de Loches"},
        {"duration_minutes": 0},
        {"duration_minutes": 721},
    ],
)
def test_the_database_refuses_inconsistent_counts_and_fields(working_match, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(match=working_match, **fields)


def test_a_workshop_counts_its_participants_by_age_and_status(working_match):
    workshop = ActivityFactory(
        match=working_match,
        kind=ActivityKind.COLLECTIVE,
        autonomy="",
        participants=3,
        age_35_60=1,
        age_over_60=2,
        status_employed=1,
        status_retired=2,
    )
    assert workshop.participants == 3


@pytest.mark.parametrize(
    ("day", "deadline"),
    [
        (datetime.date(2026, 3, 1), datetime.date(2026, 4, 10)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 4, 10)),
        (datetime.date(2026, 12, 15), datetime.date(2027, 1, 10)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 10)),
    ],
)
def test_a_record_is_editable_until_the_tenth_of_the_next_month(day, deadline):
    assert edit_deadline(day) == deadline
