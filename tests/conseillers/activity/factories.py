import datetime

import factory

from conseillers.activity.models import Activity, ActivityKind, Autonomy, ReminderExemption


class ActivityFactory(factory.django.DjangoModelFactory):
    """An individual accompaniment of one adult, written directly (tests of writes use services)."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    match = factory.SubFactory("tests.conseillers.factories.MatchFactory", finalised=True)
    structure = factory.SelfAttribute("match.structure")
    departement_id = factory.SelfAttribute("match.structure.departement_id")
    kind = ActivityKind.INDIVIDUAL
    date = datetime.date(2026, 3, 2)
    duration_minutes = 45
    autonomy = Autonomy.PARTLY
    age_35_60 = 1
    status_employed = 1
    equipment = factory.LazyFunction(lambda: ["telephone"])


class ReminderExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderExemption

    start = datetime.date(2026, 3, 1)
    end = datetime.date(2026, 3, 31)
    motive = "conges"
