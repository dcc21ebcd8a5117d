"""A rupture stops the post's clock; a replacement within the window continues the schedule; a
post not filled in time is closed pro rata, with a recovery when more was paid than earned."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from conseillers import services
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import (
    Recovery,
    SubsidyTransition,
    Subvention,
    SubventionState,
    TrancheState,
)
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def eight_months(career, today):
    """A conseiller recruited ten months ago, first tranche paid, who left after eight months."""
    start = months_ago(10, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    rupture = add_months(start, 8)
    career.rupture(match, rupture)
    return career.subvention(match), rupture


def test_a_validated_rupture_suspends_the_schedule_at_the_rupture_date(eight_months):
    subvention, rupture = eight_months
    assert subvention.state == SubventionState.VACANT
    assert subvention.months_carried == 8
    assert subvention.vacant_since == rupture
    assert subvention.vacancy_deadline == add_months(rupture, 6)
    assert subvention.vacancy == (rupture, add_months(rupture, 6))
    log = subvention.transitions.get(transition="suspend")
    assert log.by is not None and "après 8 mois de service" in log.reason


def test_the_database_refuses_a_suspended_subsidy_without_its_vacancy_dates(eight_months):
    # The reconciliation closes a suspended subsidy at the start of its vacancy: never undated.
    subvention, _ = eight_months
    with pytest.raises(IntegrityError), transaction.atomic():
        Subvention.objects.filter(pk=subvention.pk).update(vacant_since=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subvention.objects.filter(pk=subvention.pk).update(vacancy_deadline=None)


def test_a_subsidy_in_progress_has_no_vacancy(career, today):
    subvention = career.subvention(career.recruit(months_ago(1, today)))
    assert subvention.state == SubventionState.ACTIVE
    with pytest.raises(ValueError, match="n'est pas suspendue"):
        subvention.vacancy  # noqa: B018


def test_no_tranche_of_a_vacant_post_falls_due(eight_months):
    subvention, rupture = eight_months
    subsidy.tranches_mark_due(today=add_months(rupture, 5))
    states = list(subvention.tranches.order_by("rank").values_list("state", flat=True))
    assert states == [TrancheState.PAID, TrancheState.PLANNED, TrancheState.PLANNED]


def test_a_replacement_within_the_window_continues_the_schedule(career, eight_months, today):
    subvention, _ = eight_months
    replacement = career.recruit(today)
    subvention.refresh_from_db()
    assert subvention.state == SubventionState.ACTIVE
    assert subvention.holder == replacement
    assert subvention.holder_started_on == today
    # 8 months served: the month-12 tranche falls due after 4 months of the replacement.
    tranches = list(subvention.tranches.order_by("rank"))
    assert [t.due_on for t in tranches[1:]] == [add_months(today, 4), add_months(today, 16)]
    assert subvention.ends_on == add_months(today, 16)
    assert sum(t.amount_cents for t in tranches) == 5_000_000
    assert not Recovery.objects.exists()
    reschedules = SubsidyTransition.objects.filter(transition="reschedule")
    assert reschedules.count() == 2


def test_a_post_not_filled_in_time_is_closed_pro_rata_with_a_recovery(eight_months):
    subvention, rupture = eight_months
    report = subsidy.subventions_reconcile(today=add_months(rupture, 6) + datetime.timedelta(1))
    subvention.refresh_from_db()
    assert report.closed == 1
    assert subvention.state == SubventionState.CLOSED
    # 50,000 € × 8 / 24 = 16,666.666… rounded down to the cent.
    assert subvention.earned_cents == 1_666_666
    recovery = Recovery.objects.get(subvention=subvention)
    assert recovery.amount_cents == 2_000_000 - 1_666_666
    assert recovery.reason.startswith("Trop-perçu : 20\u202f000,00 € payés, 8 mois de service")
    tranches = list(subvention.tranches.order_by("rank"))
    assert [t.state for t in tranches] == [
        TrancheState.PAID,
        TrancheState.CANCELLED,
        TrancheState.CANCELLED,
    ]
    assert 2_000_000 - recovery.amount_cents == subvention.earned_cents


def test_closing_twice_changes_nothing(eight_months):
    _, rupture = eight_months
    after = add_months(rupture, 7)
    subsidy.subventions_reconcile(today=after)
    journal = SubsidyTransition.objects.count()
    assert subsidy.subventions_reconcile(today=after) == subsidy.ReconcileReport()
    assert SubsidyTransition.objects.count() == journal
    assert Recovery.objects.count() == 1


def test_an_early_closure_keeps_the_earned_balance_on_the_next_tranche(career, today):
    start = months_ago(20, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 14))
    subsidy.subventions_reconcile(today=add_months(start, 21))
    subvention = career.subvention(match)
    tranches = list(subvention.tranches.order_by("rank"))
    # 14 months earn 29,166.66 €: 20,000 € paid, 9,166.66 € left on tranche 2, tranche 3 cancelled.
    assert subvention.earned_cents == 2_916_666
    assert [(t.amount_cents, t.state) for t in tranches] == [
        (2_000_000, TrancheState.PAID),
        (916_666, TrancheState.DUE),
        (1_000_000, TrancheState.CANCELLED),
    ]
    assert tranches[1].initial_amount_cents == 2_000_000
    assert not Recovery.objects.exists()
    reduce = tranches[1].transitions.get(transition="reduce")
    assert reduce.by is None and reduce.system == subsidy.SYSTEM_RECONCILE
    assert "Montant ramené de 20\u202f000,00 € à 9\u202f166,66 €" in reduce.reason


def test_a_balance_earned_before_its_month_falls_due_at_the_end_of_service(career, today):
    start = months_ago(18, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 10))
    subsidy.subventions_reconcile(today=add_months(start, 17))
    second = career.tranches(match)[1]
    # 10 months earn 20,833.33 €: 833.33 € owed now, though month 12 was never reached.
    assert second.amount_cents == 83_333
    assert second.due_on == add_months(start, 10)
    subsidy.tranches_mark_due(today=add_months(start, 17))
    second.refresh_from_db()
    assert second.state == TrancheState.DUE


def test_a_replacement_after_the_window_gets_no_subsidy_and_the_post_closes(career, today):
    start = months_ago(16, today)
    first = career.recruit(start)
    career.rupture(first, add_months(start, 4))
    late = career.recruit(today)  # twelve months after the rupture: the post was to be returned
    subvention = career.subvention(first)
    assert subvention.state == SubventionState.CLOSED
    assert subvention.holder == first
    assert subvention.earned_cents == 5_000_000 * 4 // 24
    assert Subvention.objects.filter(holder=late).count() == 0


def test_a_post_closed_by_the_reconciliation_is_returned_and_never_filled_again(career, today):
    start = months_ago(16, today)
    first = career.recruit(start)
    career.rupture(first, add_months(start, 4))
    assert subsidy.subventions_reconcile(today=today).closed == 1
    returned = career.subvention(first).post
    returned.refresh_from_db()
    assert returned.returned_on == today

    late = career.recruit(today)  # a new post, and a schedule of its own

    returned.refresh_from_db()
    assert returned.holder is None
    assert late.post != returned
    assert Subvention.objects.get(holder=late).post == late.post


def test_a_replacement_recruited_in_time_keeps_the_post_while_anct_validates(career, today):
    start = months_ago(16, today)
    first = career.recruit(start)
    rupture = add_months(start, 10)
    career.rupture(first, rupture)
    career.recruit(add_months(rupture, 5), finalise=False)
    assert subsidy.subventions_reconcile(today=add_months(rupture, 7)).closed == 0
    assert career.subvention(first).state == SubventionState.VACANT


def test_the_whole_duration_served_closes_the_schedule_with_everything_earned(career, today):
    start = months_ago(25, today)
    match = career.recruit(start)
    report = subsidy.subventions_reconcile(today=today)
    subvention = career.subvention(match)
    assert report.completed == 1
    assert subvention.state == SubventionState.CLOSED
    assert subvention.earned_cents == subvention.total_cents == 5_000_000
    assert not subvention.tranches.filter(state=TrancheState.CANCELLED).exists()


def test_a_contract_ended_normally_suspends_the_schedule_as_a_rupture_does(career, today):
    match = career.recruit(months_ago(7, today))
    services.match_end(match=match, by=career.anct)
    subvention = career.subvention(match)
    assert subvention.state == SubventionState.VACANT
    assert subvention.months_carried == 7
    assert subvention.vacant_since == today
    log = subvention.transitions.get(transition="suspend")
    assert log.by == career.anct
    assert subsidy.subventions_reconcile(today=today).suspended == 0  # nothing left to see


def test_a_vacant_post_is_not_paid(career, eight_months, anct):
    subvention, _ = eight_months
    second = subvention.tranches.get(rank=2)
    with pytest.raises(ValidationError, match="Le poste est vacant"):
        subsidy.payment_record(tranche=second, reference="X", paid_on=second.due_on, by=anct)
