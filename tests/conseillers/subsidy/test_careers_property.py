"""Random careers of a post: recruitment, ruptures at random dates, replacements in or out of the
window, late justifications, payments retried. For every post, at every step: paid minus
recovered never exceeds the total, the tranches add up exactly, and once the post is closed,
paid minus recovered is exactly what the months of service earned.

Two layers: a pure-Python model of the schedule (hundreds of careers per second, built on the
same `subsidy_math` functions as the services) and a smaller run through the real services and
database, the beat tasks called as each simulated day passes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conseillers.subsidy import services as subsidy
from conseillers.subsidy import tasks
from conseillers.subsidy.math import (
    Line,
    add_months,
    due_date,
    earned,
    months_between,
    settle,
    tranche_amounts,
)
from conseillers.subsidy.models import (
    Payment,
    Recovery,
    Subvention,
    SubventionState,
    Tranche,
    TrancheState,
)
from tests.conseillers.subsidy.helpers import Career

WINDOW = 6
FRANCE_RELANCE = (
    [Line(1, 0, share_bp=4000), Line(2, 12, share_bp=4000), Line(3, 24, share_bp=2000)],
    5_000_000,
    24,
)
RENEWAL_PUBLIC_BONUS = (
    [
        Line(1, 0, amount_cents=1_750_000, bonus_cents=250_000),
        Line(2, 12, amount_cents=1_250_000, bonus_cents=500_000),
        Line(3, 24, amount_cents=1_250_000),
    ],
    None,
    36,
)

# A career: (months worked by a holder, months of vacancy before the next one) per holder.
segments = st.lists(st.tuples(st.integers(1, 40), st.integers(0, 10)), min_size=1, max_size=4)


@dataclass
class PostModel:
    """The schedule of one post, as the services keep it, with no database."""

    amounts: list[int]
    months: list[int]
    total: int
    duration: int
    start: datetime.date
    states: list[str] = field(default_factory=list)
    due_on: list[datetime.date] = field(default_factory=list)
    paid: int = 0
    recovered: int = 0
    carried: int = 0
    vacant_since: datetime.date | None = None
    earned: int | None = None

    @classmethod
    def open(cls, regime, start: datetime.date) -> PostModel:
        lines, base, duration = regime
        amounts = tranche_amounts(lines, base_total=base, bonus=True)
        model = cls(amounts, [line.month for line in lines], sum(amounts), duration, start)
        model.states = ["planned"] * len(amounts)
        model.due_on = [due_date(start, month) for month in model.months]
        return model

    @property
    def closed(self) -> bool:
        return self.earned is not None

    @property
    def ends_on(self) -> datetime.date:
        return add_months(self.start, self.duration - self.carried)

    def tick(self, today: datetime.date) -> None:
        """The beat tasks of one day: completion, expiry of the window, tranches falling due."""
        if not self.closed and self.vacant_since is None and self.ends_on <= today:
            self.close(self.duration, self.ends_on)
        if self.vacant_since and add_months(self.vacant_since, WINDOW) < today:
            self.close(self.carried, self.vacant_since)
        if self.vacant_since is None:
            for i, state in enumerate(self.states):
                if state == "planned" and self.due_on[i] <= today:
                    self.states[i] = "due"

    def pay(self, i: int) -> None:
        """Idempotent, like the payment task retried: a paid tranche is not paid again."""
        if self.states[i] == "due" and self.vacant_since is None:
            self.states[i] = "paid"
            self.paid += self.amounts[i]

    def leave(self, end: datetime.date) -> None:
        if self.closed:
            return
        served = min(self.duration, self.carried + months_between(self.start, end))
        if served >= self.duration:
            self.close(served, end)
            return
        self.carried, self.vacant_since = served, end

    def replace(self, start: datetime.date) -> None:
        if self.closed:
            return
        if start > add_months(self.vacant_since, WINDOW):
            self.close(self.carried, self.vacant_since)
            return
        self.start, self.vacant_since = max(start, self.vacant_since), None
        for i, state in enumerate(self.states):
            if state == "planned":
                self.due_on[i] = due_date(self.start, self.months[i], self.carried)

    def close(self, served: int, end: datetime.date) -> None:
        self.earned = earned(self.total, served, self.duration)
        unpaid = [i for i, s in enumerate(self.states) if s in ("planned", "due")]
        outcome = settle(
            [self.amounts[i] for i in unpaid], paid=self.paid, earned_total=self.earned
        )
        for i, amount in zip(unpaid, outcome.amounts, strict=True):
            self.amounts[i] = amount
            self.states[i] = "cancelled" if amount == 0 else self.states[i]
            self.due_on[i] = min(self.due_on[i], end)
        self.recovered = outcome.recovery
        self.vacant_since = None

    def check(self) -> None:
        assert self.paid - self.recovered <= self.total
        live = sum(a for a, s in zip(self.amounts, self.states, strict=True) if s != "cancelled")
        if not self.closed:
            assert live == self.total
        else:
            assert (
                self.paid
                + live
                - sum(a for a, s in zip(self.amounts, self.states, strict=True) if s == "paid")
                - self.recovered
                == self.earned
            )


def simulate(model: PostModel, career: list[tuple[int, int]], lateness: int) -> None:
    day = model.start
    for index, (worked, gap) in enumerate(career):
        if index:
            model.replace(day)
        for month in range(1, worked + 1):
            today = add_months(day, month)
            model.tick(today)
            for i, due in enumerate(model.due_on):
                if add_months(due, lateness) <= today:
                    model.pay(i)
                    model.pay(i)  # the payment task delivered twice
            model.check()
        day = add_months(day, worked)
        model.leave(day)
        model.check()
        day = add_months(day, gap)
        model.tick(day)
        model.check()
    model.tick(add_months(day, WINDOW + 1))
    for i in range(len(model.states)):
        model.tick(datetime.date(2099, 1, 1))
        model.pay(i)
    model.check()


@settings(max_examples=400, deadline=None, database=None)
@given(
    career=segments,
    lateness=st.integers(0, 6),
    regime=st.sampled_from([FRANCE_RELANCE, RENEWAL_PUBLIC_BONUS]),
)
def test_pure_model_paid_minus_recovered_is_what_the_months_earned(career, lateness, regime):
    model = PostModel.open(regime, datetime.date(2026, 1, 31))
    simulate(model, career, lateness)
    assert model.closed
    assert model.paid - model.recovered == model.earned
    assert model.earned <= model.total


# --- The same careers through the services and the database --------------------------------


def daily(career: Career, day: datetime.date, lateness: int, reference: list[int]) -> None:
    """One simulated day: the beat tasks, then the payments of tranches due long enough."""
    subsidy.subventions_reconcile(today=day)
    subsidy.tranches_mark_due(today=day)
    payable = Tranche.objects.filter(
        state__in=[TrancheState.DUE, TrancheState.SUBMITTED, TrancheState.APPROVED],
        subvention__state__in=[SubventionState.ACTIVE, SubventionState.CLOSED],
    )
    for tranche in payable:
        if add_months(tranche.due_on, lateness) > day:
            continue  # a late justification: paid on a later day
        reference[0] += 1
        career.pay(tranche, f"BDT-{reference[0]}", day)
        # The payment task retried with the same payment: nothing more is paid.
        args = [tranche.pk, f"BDT-{reference[0]}", day.isoformat(), career.anct.pk]
        tasks.record_payment.apply(args=args, throw=False)


def assert_invariants(subvention: Subvention, *, settled: bool) -> None:
    subvention = Subvention.objects.get(pk=subvention.pk)
    tranches = list(subvention.tranches.all())
    paid = Payment.objects.filter(tranche__subvention=subvention).aggregate(s=Sum("amount_cents"))
    paid = paid["s"] or 0
    recovery = Recovery.objects.filter(subvention=subvention).first()
    recovered = recovery.amount_cents if recovery else 0
    assert sum(t.initial_amount_cents for t in tranches) == subvention.total_cents
    assert paid - recovered <= subvention.total_cents
    live = sum(t.amount_cents for t in tranches if t.state != TrancheState.CANCELLED)
    if subvention.state != SubventionState.CLOSED:
        assert live == subvention.total_cents
    elif settled:
        assert paid - recovered == subvention.earned_cents
    assert all(p.tranche.state == TrancheState.PAID for p in Payment.objects.all())


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    career_plan=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 9)), min_size=1, max_size=3),
    lateness=st.integers(0, 3),
)
def test_services_keep_the_invariants_over_random_careers(
    structure, gestionnaire, anct, career_plan, lateness
):
    with transaction.atomic():
        career = Career(structure=structure, manager=gestionnaire, anct=anct)
        # The whole career lies ahead of the real date: the simulated days drive every task.
        day = add_months(datetime.date.today(), 1)
        first, reference = None, [0]
        for worked, gap in career_plan:
            match = career.recruit(day)
            first = first or career.subvention(match)
            for month in range(3, worked + 1, 3):
                daily(career, add_months(day, month), lateness, reference)
                assert_invariants(first, settled=False)
            day = add_months(day, worked)
            career.rupture(match, day)
            assert_invariants(first, settled=False)
            day = add_months(day, gap)
            daily(career, day, lateness, reference)
        day = add_months(day, WINDOW + 1)
        for _ in range(2):  # the balance falls due, then is paid
            daily(career, day, 0, reference)
        daily(career, add_months(day, 1), 0, reference)
        assert Subvention.objects.get(pk=first.pk).state == SubventionState.CLOSED
        assert_invariants(first, settled=True)
        event("trop-perçu à reverser" if Recovery.objects.exists() else "pas de reversement")
        transaction.set_rollback(True)
