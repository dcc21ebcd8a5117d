"""The arithmetic in cents: dates in months, shares, pro rata and settlement, exact to the cent."""

import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conseillers.subsidy.math import (
    Line,
    add_months,
    earned,
    euros,
    months_between,
    plain_euros,
    settle,
    tranche_amounts,
)

FAST = settings(max_examples=300, deadline=None, database=None)
days = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))
cents = st.integers(min_value=0, max_value=10**9)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2026, 2, 2), 12, datetime.date(2027, 2, 2)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2027, 12, 31), 2, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 31), -1, datetime.date(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (datetime.date(2026, 2, 2), datetime.date(2026, 10, 2), 8),
        (datetime.date(2026, 2, 2), datetime.date(2026, 10, 1), 7),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), 1),
        (datetime.date(2026, 2, 2), datetime.date(2026, 2, 2), 0),
        (datetime.date(2026, 2, 2), datetime.date(2025, 2, 2), 0),
    ],
)
def test_a_month_of_service_counts_once_completed(start, end, months):
    assert months_between(start, end) == months


@FAST
@given(start=days, months=st.integers(0, 60))
def test_months_between_inverts_add_months(start, months):
    assert months_between(start, add_months(start, months)) == months


@FAST
@given(start=days, end=days)
def test_months_between_is_the_last_anniversary_reached(start, end):
    months = months_between(start, end)
    assert add_months(start, months) <= end or months == 0
    assert add_months(start, months + 1) > end


def test_france_relance_shares_of_50000_euros():
    lines = [Line(1, 0, share_bp=4000), Line(2, 12, share_bp=4000), Line(3, 24, share_bp=2000)]
    assert tranche_amounts(lines, base_total=5_000_000, bonus=False) == [
        2_000_000,
        2_000_000,
        1_000_000,
    ]


def test_the_remainder_of_rounded_down_shares_goes_to_the_last_tranche():
    lines = [Line(1, 0, share_bp=3333), Line(2, 12, share_bp=3333), Line(3, 24, share_bp=3334)]
    assert tranche_amounts(lines, base_total=100, bonus=False) == [33, 33, 34]


def test_a_bonus_is_added_only_when_it_applies():
    lines = [Line(1, 0, amount_cents=1_750_000, bonus_cents=250_000)]
    assert tranche_amounts(lines, base_total=None, bonus=True) == [2_000_000]
    assert tranche_amounts(lines, base_total=None, bonus=False) == [1_750_000]


@st.composite
def shares(draw):
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=0, max_size=5)))
    bounds = [0, *cuts, 10_000]
    return [high - low for low, high in itertools.pairwise(bounds)]


@FAST
@given(total=cents, parts=shares())
def test_share_based_tranches_always_add_up_to_the_total(total, parts):
    lines = [Line(rank, 0, share_bp=share) for rank, share in enumerate(parts, start=1)]
    amounts = tranche_amounts(lines, base_total=total, bonus=False)
    assert sum(amounts) == total
    assert all(amount >= 0 for amount in amounts)


@FAST
@given(total=cents, duration=st.integers(1, 60), months=st.integers(-5, 80))
def test_the_entitlement_never_exceeds_the_total_and_reaches_it_at_full_duration(
    total, duration, months
):
    value = earned(total, months, duration)
    assert 0 <= value <= total
    assert earned(total, duration, duration) == total
    assert value <= earned(total, months + 1, duration)


def test_eight_months_of_twenty_four_earn_a_third_rounded_down():
    assert earned(5_000_000, 8, 24) == 1_666_666


@FAST
@given(
    amounts=st.lists(st.integers(0, 10**7), min_size=1, max_size=4),
    paid_share=st.integers(0, 100),
    earned_share=st.integers(0, 100),
)
def test_a_settlement_leaves_exactly_what_was_earned(amounts, paid_share, earned_share):
    total = sum(amounts)
    paid = total * paid_share // 100
    # The unpaid tranches are the rest of the schedule, whatever the split.
    unpaid = [total - paid]
    entitled = total * earned_share // 100
    outcome = settle(unpaid, paid=paid, earned_total=entitled)
    assert paid + sum(outcome.amounts) - outcome.recovery == entitled
    assert outcome.recovery == max(paid - entitled, 0)
    assert all(0 <= new <= old for new, old in zip(outcome.amounts, unpaid, strict=True))


def test_a_settlement_keeps_the_earliest_tranches_first():
    outcome = settle([2_000_000, 1_000_000], paid=2_000_000, earned_total=2_916_666)
    assert outcome.amounts == (916_666, 0)
    assert outcome.recovery == 0


def test_amounts_print_in_french():
    assert euros(5_000_000) == "50\u202f000,00 €"
    assert euros(-333_334) == "-3\u202f333,34 €"
    assert plain_euros(916_666) == "9166,66"
