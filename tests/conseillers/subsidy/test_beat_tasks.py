"""The beat tasks of the subsidy: scheduled, idempotent, set-based (their number of queries does
not grow with the rows), and harmless when a message is lost or delivered twice."""

import datetime

import pytest
from celery import current_app
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conseillers.subsidy import services as subsidy
from conseillers.subsidy import tasks
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import SubsidyTransition, Tranche, TrancheState
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "conseillers.tasks.reconcile_subventions",
        "conseillers.tasks.mark_tranches_due",
        "conseillers.tasks.remind_missing_justifications",
    ],
)
def test_each_subsidy_task_is_scheduled_daily_by_beat(name):
    assert name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


@pytest.mark.parametrize(
    "task",
    [
        tasks.reconcile_subventions,
        tasks.mark_tranches_due,
        tasks.remind_missing_justifications,
        tasks.send_justification_reminder,
        tasks.record_payment,
    ],
)
def test_each_subsidy_task_keeps_the_name_it_had_before_the_subsidy_became_an_app(task):
    # Messages already queued and django-celery-beat rows name a task by this string.
    assert task.name == f"conseillers.tasks.{task.__name__}"
    assert current_app.tasks[task.name].run.__module__ == "conseillers.subsidy.tasks"


def test_the_due_task_marks_tranches_once_as_the_system(career, today):
    match = career.recruit(months_ago(2, today))
    second = career.tranches(match)[1]
    day = second.due_on
    assert subsidy.tranches_mark_due(today=day) == subsidy.DueReport(due=1)
    assert subsidy.tranches_mark_due(today=day) == subsidy.DueReport()
    log = SubsidyTransition.objects.get(tranche=second, transition="mark_due")
    assert log.by is None
    assert log.system == subsidy.SYSTEM_DUE
    assert log.actor == "Système (tâche planifiée)"


def test_the_due_task_through_celery_returns_its_counts(career, today):
    career.recruit(today + datetime.timedelta(days=-1), finalise=True)
    assert tasks.mark_tranches_due.delay().get() == {
        "due": 0,
        "blocked": 0,
        "unblocked": 0,
        "resume_after": None,
    }


def test_a_blocked_tranche_falls_due_once_the_smic_table_is_corrected(career, today):
    from decimal import Decimal

    from conseillers.models import SmicRate

    match = career.recruit(months_ago(1, today), salary=Decimal("1810.00"))
    wrong = SmicRate.objects.create(valid_from=months_ago(-1, today), hourly_gross=Decimal("13"))
    second = career.tranches(match)[1]
    subsidy.tranches_mark_due(today=second.due_on)
    second.refresh_from_db()
    assert second.state == TrancheState.BLOCKED
    wrong.hourly_gross = Decimal("11.90")
    wrong.save()
    assert subsidy.tranches_mark_due(today=second.due_on) == subsidy.DueReport(unblocked=1)
    second.refresh_from_db()
    assert (second.state, second.blocked_reason) == (TrancheState.DUE, "")


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_marking_due_costs_the_same_queries_for_two_or_ten_posts(structure, gestionnaire, anct):
    from tests.conseillers.subsidy.helpers import Career

    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=12)
    start = add_months(timezone.localdate(), 1)
    for _ in range(2):
        career.recruit(start)
    few = _queries(lambda: subsidy.tranches_mark_due(today=add_months(start, 13)))
    for _ in range(8):
        career.recruit(add_months(start, 13))
    # Then the first two posts' month-24 tranches and the next eight posts' first two.
    many = _queries(lambda: subsidy.tranches_mark_due(today=add_months(start, 26)))
    assert many == few
    assert Tranche.objects.filter(state=TrancheState.DUE).count() == 2 * 3 + 8 * 2


def test_reconciliation_costs_the_same_queries_for_one_or_five_closures(
    structure, gestionnaire, anct
):
    from tests.conseillers.subsidy.helpers import Career

    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=12)
    start = add_months(timezone.localdate(), 1)
    first = [career.recruit(start)]
    for match in first:
        career.rupture(match, add_months(start, 3))
    one = _queries(lambda: subsidy.subventions_reconcile(today=add_months(start, 10)))
    later = add_months(start, 10)
    five = [career.recruit(later) for _ in range(5)]
    for match in five:
        career.rupture(match, add_months(later, 3))
    many = _queries(lambda: subsidy.subventions_reconcile(today=add_months(later, 10)))
    assert many == one


def test_reminders_send_one_email_per_structure_then_wait_a_week(
    career, today, django_capture_on_commit_callbacks
):
    career.structure.contact_email = "mairie@exemple.fr"
    career.structure.save()
    for _ in range(2):
        career.recruit(months_ago(13, today))  # two month-12 tranches awaiting a justification
    with django_capture_on_commit_callbacks(execute=True):  # sent once the claim committed
        assert tasks.remind_missing_justifications.delay().get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == (
        "Conseillers numériques : 2 justificatifs attendus pour vos subventions"
    )
    assert sorted(message.to) == sorted(["mairie@exemple.fr", career.manager.email])
    assert "Tranche 2 : première année" in message.body
    # Delivered twice, or run again the same week: nobody is reminded twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_missing_justifications.delay().get() == 0
    assert len(mail.outbox) == 1
    next_week = timezone.now() + datetime.timedelta(days=8)
    assert subsidy.justifications_claim_reminders(now=next_week) != {}


def test_a_justified_tranche_is_not_reminded_even_when_claimed_before(career, today):
    match = career.recruit(months_ago(13, today))
    claimed = subsidy.justifications_claim_reminders(now=timezone.now())
    career.justify(career.tranches(match)[1])
    ((structure_id, ids),) = claimed.items()
    assert tasks.send_justification_reminder.delay(structure_id, ids).get() == 0
    assert mail.outbox == []


def test_the_reconciliation_task_is_idempotent(career, today):
    match = career.recruit(months_ago(20, today))
    career.rupture(match, months_ago(12, today))
    first = tasks.reconcile_subventions.delay().get()
    # One batch per message: the first closes the post, its continuation finds nothing more.
    assert (first["suspended"], first["closed"], first["completed"]) == (0, 1, 0)
    assert tasks.reconcile_subventions.delay().get() == {
        "suspended": 0,
        "closed": 0,
        "completed": 0,
        "resume": None,
    }


@pytest.mark.parametrize("salary", ["1500.00", "1801.79", "1801.80", "2500.00"])
@pytest.mark.parametrize("hours", ["35", "24.5"])
@pytest.mark.parametrize(
    "day",
    [
        datetime.date(2022, 6, 1),  # before the table: no rate known
        datetime.date(2024, 3, 4),
        datetime.date(2024, 11, 1),
        datetime.date(2027, 1, 15),
    ],
)
def test_the_due_date_check_says_exactly_what_check_salary_says(salary, hours, day):
    """The beat task reads the SMIC table once instead of once per tranche: same rule, same
    French message as the recruitment's `services.check_salary`, at the due date."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from conseillers import services
    from conseillers.models import Contract

    contract = Contract(
        type="cdi",
        start_date=day,
        gross_monthly_salary=Decimal(salary),
        weekly_hours=Decimal(hours),
    )
    try:
        services.check_salary(contract)
        expected = ""
    except ValidationError as error:
        expected = "Tranche bloquée : " + " ".join(error.messages)
    assert subsidy._SmicTable().shortfall(contract, day) == expected
