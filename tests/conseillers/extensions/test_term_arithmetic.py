"""The schedule arithmetic of an extension (`conseillers.subsidy.math.at_contract_term`),
property-tested as the rest of the subsidy's arithmetic: an extension never loses months,
money or tranches, never moves a due date, and the term's figures agree with the month rule
and with the settlement the reconciliation would make."""

import datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conseillers.subsidy.math import (
    add_months,
    at_contract_term,
    due_date,
    earned,
    months_between,
    overpaid,
    settle,
)

FAST = settings(max_examples=400, deadline=None, database=None)
DAY = datetime.timedelta(days=1)
days = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2032, 12, 31))


@st.composite
def schedules(draw):
    """A post's schedule as the regimes make them: a duration, a total, the tranches' months of
    service (the first at month 0, the last at the duration), months already served by earlier
    holders, and the current holder's start."""
    duration = draw(st.integers(1, 48))
    middle = draw(st.lists(st.integers(1, duration), max_size=3))
    months = sorted({0, *middle, duration})
    return {
        "holder_start": draw(days),
        "months_carried": draw(st.integers(0, duration - 1)),
        "duration": duration,
        "total": draw(st.integers(0, 10**8)),
        "tranche_months": [(rank, month) for rank, month in enumerate(months, start=1)],
    }


def projection(schedule: dict, end: datetime.date):
    return at_contract_term(contract_end=end, **schedule)


@FAST
@given(schedule=schedules(), first=st.integers(0, 2000), extra=st.integers(1, 2000))
def test_an_extension_never_loses_months_money_or_tranches(schedule, first, extra):
    end = schedule["holder_start"] + first * DAY
    before, after = projection(schedule, end), projection(schedule, end + extra * DAY)
    assert before.months_served <= after.months_served <= schedule["duration"]
    assert before.earned_cents <= after.earned_cents <= schedule["total"]
    assert set(after.unreached_ranks) <= set(before.unreached_ranks)
    assert after.service_ends_on == end + (extra + 1) * DAY


@FAST
@given(schedule=schedules(), first=st.integers(0, 2000), extra=st.integers(1, 2000))
def test_an_extension_never_moves_a_due_date(schedule, first, extra):
    """Due dates come from the holder's start and the months carried, never from the contract:
    whatever the end date, the tranches fall due on the same days."""
    start, carried = schedule["holder_start"], schedule["months_carried"]
    dues = [due_date(start, month, carried) for _, month in schedule["tranche_months"]]
    for end in (start + first * DAY, start + (first + extra) * DAY):
        unreached = set(projection(schedule, end).unreached_ranks)
        assert dues == [due_date(start, month, carried) for _, month in schedule["tranche_months"]]
        # A tranche is unreached exactly when it falls due after the last day worked + 1.
        for (rank, month), due in zip(schedule["tranche_months"], dues, strict=True):
            if month >= carried:
                assert (rank in unreached) == (due > end + DAY)


@FAST
@given(schedule=schedules(), first=st.integers(0, 2000))
def test_the_months_at_the_term_are_the_completed_months_of_service(schedule, first):
    start, carried, duration = (
        schedule["holder_start"],
        schedule["months_carried"],
        schedule["duration"],
    )
    end = start + first * DAY
    term = projection(schedule, end)
    own = term.months_served - carried
    assert own >= 0
    assert add_months(start, own) <= end + DAY  # these months are completed…
    if term.months_served < duration:  # …and the next one is not, unless the duration caps it
        assert add_months(start, own + 1) > end + DAY
    assert term.months_served == min(carried + months_between(start, end + DAY), duration)
    assert term.earned_cents == earned(schedule["total"], term.months_served, duration)


@FAST
@given(schedule=schedules())
def test_a_contract_extended_to_the_schedules_end_earns_the_whole_total(schedule):
    remaining = schedule["duration"] - schedule["months_carried"]
    end = add_months(schedule["holder_start"], remaining) - DAY
    assume(end >= schedule["holder_start"])
    term = projection(schedule, end)
    assert (term.months_served, term.earned_cents) == (schedule["duration"], schedule["total"])
    assert term.unreached_ranks == ()


@FAST
@given(
    schedule=schedules(),
    first=st.integers(0, 2000),
    extra=st.integers(1, 2000),
    paid_share=st.integers(0, 100),
)
def test_the_recovery_at_the_term_is_the_settlements_and_an_extension_only_lowers_it(
    schedule, first, extra, paid_share
):
    """If nobody replaces the holder, the reconciliation settles the post at the term's
    entitlement: what is kept and what is paid back then add up to the entitlement."""
    total = schedule["total"]
    paid = total * paid_share // 100
    end = schedule["holder_start"] + first * DAY
    before, after = projection(schedule, end), projection(schedule, end + extra * DAY)
    for term in (before, after):
        outcome = settle([total - paid], paid=paid, earned_total=term.earned_cents)
        assert outcome.recovery == overpaid(paid, term.earned_cents)
        assert paid + sum(outcome.amounts) - outcome.recovery == term.earned_cents
    assert overpaid(paid, after.earned_cents) <= overpaid(paid, before.earned_cents)
