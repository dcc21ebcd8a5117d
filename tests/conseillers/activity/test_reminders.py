"""The reminders: a conseiller silent for a month, then their employer at a month and a half,
once each per silence; a declared absence stops them; set-based and idempotent."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conseillers.activity import reminders, services, tasks
from conseillers.activity.models import ActivityReminder
from conseillers.activity.reminders import months_before
from tests.conseillers.activity.factories import ActivityFactory, ReminderExemptionFactory
from tests.conseillers.factories import CandidatFactory, MatchFactory

# The contract of the factories starts on 2026-02-02.
START = datetime.date(2026, 2, 2)


def run(day: datetime.date, capture) -> dict:
    with capture(execute=True):  # the emails leave once the claim committed
        return tasks.remind_silent_conseillers.delay(day.isoformat()).get()


@pytest.fixture
def silent_match(structure, conseiller, gestionnaire):
    structure.contact_email = "mairie@exemple.fr"
    structure.save()
    match = MatchFactory(
        structure=structure,
        candidat=CandidatFactory(user=conseiller, first_name="Camille"),
        finalised=True,
    )
    ActivityFactory(match=match, date=datetime.date(2026, 3, 2))
    return match


def test_the_task_is_scheduled_daily_by_beat():
    assert "conseillers.activity.tasks.remind_silent_conseillers" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_a_month_reminds_the_conseiller_a_month_and_a_half_the_employer_once_each(
    silent_match, conseiller, gestionnaire, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert run(datetime.date(2026, 4, 1), capture) == {"conseiller": 0, "employer": 0}
    assert run(datetime.date(2026, 4, 2), capture) == {"conseiller": 1, "employer": 0}
    (message,) = mail.outbox
    assert message.to == [conseiller.email]
    assert message.subject == "Conseillers numériques : pensez à vos comptes rendus d'activité"
    assert "depuis le 02/03/2026" in message.body and "/conseillers/activite/" in message.body
    # Run again, or the message delivered twice: nobody is reminded twice of the same silence.
    assert run(datetime.date(2026, 4, 3), capture) == {"conseiller": 0, "employer": 0}
    assert run(datetime.date(2026, 4, 17), capture) == {"conseiller": 0, "employer": 1}
    employer = mail.outbox[1]
    assert sorted(employer.to) == sorted(["mairie@exemple.fr", gestionnaire.email])
    assert "aucune activité de Camille" in employer.subject
    assert "/conseillers/activite/absences/" in employer.body
    assert run(datetime.date(2026, 6, 1), capture) == {"conseiller": 0, "employer": 0}
    assert len(mail.outbox) == 2
    # A new record starts a new silence, reminded again a month later.
    ActivityFactory(match=silent_match, date=datetime.date(2026, 6, 1))
    assert run(datetime.date(2026, 7, 1), capture) == {"conseiller": 1, "employer": 0}


def test_a_declared_absence_stops_the_reminders_for_its_period(
    silent_match, gestionnaire, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    services.exemption_declare(
        match=silent_match,
        start=datetime.date(2026, 3, 20),
        end=datetime.date(2026, 4, 20),
        motive="maladie",
        by=gestionnaire,
    )
    # On leave: nothing; back from it, the silence counts from its end.
    assert run(datetime.date(2026, 4, 10), capture) == {"conseiller": 0, "employer": 0}
    assert run(datetime.date(2026, 5, 19), capture) == {"conseiller": 0, "employer": 0}
    assert run(datetime.date(2026, 5, 20), capture) == {"conseiller": 1, "employer": 0}
    assert ActivityReminder.objects.get().silent_since == datetime.date(2026, 4, 20)


def test_a_conseiller_without_any_record_counts_from_the_contract_start(
    structure, django_capture_on_commit_callbacks
):
    MatchFactory(structure=structure, finalised=True)
    MatchFactory(structure=structure, ended=True)  # out of post: never reminded
    day = months_before(START, -1)
    assert run(day, django_capture_on_commit_callbacks) == {"conseiller": 1, "employer": 0}
    assert ActivityReminder.objects.get().silent_since == START


def test_claiming_costs_the_same_queries_for_one_or_many_conseillers(structure):
    def queries(count: int, day: datetime.date) -> int:
        for _ in range(count):
            MatchFactory(structure=structure, finalised=True)
        with CaptureQueriesContext(connection) as captured:
            report = reminders.reminders_claim(today=day)
        assert report.conseiller == count
        return len(captured)

    assert queries(1, datetime.date(2026, 3, 2)) == queries(6, datetime.date(2026, 3, 3))


def test_only_the_employer_declares_an_absence(silent_match, conseiller, outsider):
    for person in (conseiller, outsider):
        with pytest.raises(PermissionDenied):
            services.exemption_declare(
                match=silent_match,
                start=datetime.date(2026, 3, 1),
                end=datetime.date(2026, 3, 5),
                motive="conges",
                by=person,
            )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 15), 1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 2, 2), -1, datetime.date(2026, 3, 2)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert months_before(day, months) == expected


def test_the_exemptions_page_declares_and_deletes_an_absence(client, gestionnaire, silent_match):
    client.force_login(gestionnaire)
    page = client.get("/conseillers/activite/absences/")
    assert "Camille" in page.content.decode()
    response = client.post(
        "/conseillers/activite/absences/",
        {"match": silent_match.pk, "start": "2026-04-01", "end": "2026-03-01", "motive": "conges"},
    )
    assert "La fin de l&#x27;absence précède son début." in response.content.decode()
    client.post(
        "/conseillers/activite/absences/",
        {"match": silent_match.pk, "start": "2026-04-01", "end": "2026-04-10", "motive": "conges"},
    )
    exemption = silent_match.reminder_exemptions.get()
    client.post(f"/conseillers/activite/absences/{exemption.pk}/supprimer/")
    assert not silent_match.reminder_exemptions.exists()


def test_a_conseiller_has_no_exemptions_page(client, conseiller, silent_match):
    client.force_login(conseiller)
    assert client.get("/conseillers/activite/absences/").status_code == 403
    ReminderExemptionFactory(match=silent_match)
    exemption = silent_match.reminder_exemptions.get()
    response = client.post(f"/conseillers/activite/absences/{exemption.pk}/supprimer/")
    assert response.status_code == 404
