"""30 days before a 6- or 12-month mandate expires, its organisation is reminded, once."""

import datetime

import pytest
from django.utils import timezone

from mandats import notifications, tasks
from mandats.models import Mandat
from tests.mandats.factories import MandatFactory


def signed(organisation, duration: str, expires_in_days: int, **kwargs) -> Mandat:
    days = {"jour": 1, "mois": 31, "semestre": 182, "annee": 365}[duration]
    created = timezone.now() - datetime.timedelta(days=days - expires_in_days)
    return MandatFactory(
        organisation=organisation.structure, duration=duration, created_at=created, **kwargs
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run_task() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_expiration_reminders.delay().get()

    return run_task


def test_reminds_the_organisation_once_even_when_run_twice(run, organisation, referent, mailoutbox):
    organisation.structure.contact_email = "contact@mairie.example"
    organisation.structure.save()
    year = signed(organisation, "annee", 20)
    semester = signed(organisation, "semestre", 5)

    assert run() == 2
    assert run() == 0

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert sorted(email.to) == sorted([referent.email, "contact@mairie.example"])
    assert f"mandat n° {year.pk}" in email.body and f"mandat n° {semester.pk}" in email.body
    assert year.usager.family_name not in email.body
    assert Mandat.objects.filter(expiration_reminder_sent_at__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("duration", "expires_in_days"),
    [("mois", 10), ("jour", 1), ("annee", 45), ("annee", -1), ("semestre", 31)],
    ids=["one-month", "one-day", "not-yet-due", "already-expired", "just-outside-30-days"],
)
def test_does_not_remind(run, organisation, referent, mailoutbox, duration, expires_in_days):
    signed(organisation, duration, expires_in_days)

    assert run() == 0
    assert mailoutbox == []


def test_does_not_remind_for_a_revoked_mandate(run, organisation, referent, mailoutbox):
    revoked = signed(organisation, "annee", 20)
    revoked.autorisations.update(revoked_at=timezone.now())

    assert run() == 0
    assert mailoutbox == []


def test_one_email_per_organisation(run, organisation, other_organisation, mailoutbox):
    for target in (organisation, other_organisation):
        target.structure.contact_email = f"contact{target.pk}@exemple.fr"
        target.structure.save()
        signed(target, "annee", 20)

    assert run() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [f"contact{organisation.pk}@exemple.fr", f"contact{other_organisation.pk}@exemple.fr"]
    )


def test_a_mandate_revoked_before_the_email_leaves_is_left_out(organisation, referent, mailoutbox):
    due = signed(organisation, "annee", 20)
    due.autorisations.update(revoked_at=timezone.now())

    assert notifications.send_expiration_reminder_email.delay(organisation.pk, [due.pk]).get() == 0
    assert mailoutbox == []


def test_the_beat_schedule_names_existing_tasks():
    from celery import current_app

    for entry in tasks.BEAT_SCHEDULE.values():
        assert entry["task"] in current_app.tasks


def test_a_full_batch_enqueues_the_next_until_every_mandate_is_claimed(
    run, organisation, referent, settings
):
    settings.TASK_BATCH_SIZE = 2
    mandates = [signed(organisation, "annee", 20) for _ in range(5)]

    assert run() == 2  # the first message's batch; its continuations claimed the others
    assert not Mandat.objects.filter(
        pk__in=[m.pk for m in mandates], expiration_reminder_sent_at__isnull=True
    ).exists()
