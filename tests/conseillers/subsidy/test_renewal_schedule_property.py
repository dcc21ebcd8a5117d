"""The arithmetic of a renewed post's schedule, property-tested: for any first schedule and any
structure (public or private, with or without the QPV/ZRR bonus), the renewal starts the day the
first schedule ends, its tranches add up to the 2023 regime's total to the cent, fall due at
months 0, 12 and 24 of the new 36, and a whole service earns exactly that total. Then each of the
four combinations through the real services: the schedule written is the one computed."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.math import Line, add_months, earned, months_between
from conseillers.subsidy.models import Subvention
from conseillers.subsidy.regimes import LINE_FIELDS, RENEWAL_2023
from tests.conseillers.subsidy.helpers import Career, months_ago

# The regime's total per (public, bonus), as DOMAIN.md states it.
TOTALS = {
    (True, True): 5_000_000,  # 17 500 + 2 500, 12 500 + 5 000, 12 500
    (True, False): 4_250_000,
    (False, True): 4_400_000,  # the bonus is the public structures'
    (False, False): 4_400_000,
}


def lines(public: bool) -> list[Line]:
    audience = "publique" if public else "privee"
    rows = [dict(zip(LINE_FIELDS, line, strict=True)) for line in RENEWAL_2023["lines"]]
    return [
        Line(
            rank=row["rank"],
            month=row["month"],
            share_bp=row["share_bp"],
            amount_cents=row["amount_cents"],
            bonus_cents=row["bonus_cents"],
        )
        for row in rows
        if row["audience"] in (audience, "toutes")
    ]


first_starts = st.dates(min_value=datetime.date(2021, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(
    first_start=first_starts,
    carried=st.integers(0, 23),
    public=st.booleans(),
    bonus=st.booleans(),
)
def test_a_renewed_schedule_follows_the_first_and_adds_up_to_the_regime_total(
    first_start, carried, public, bonus
):
    first_end = add_months(first_start, 24 - carried)
    schedule = renewals.schedule(
        lines(public),
        starts_on=first_end,
        duration_months=RENEWAL_2023["duration_months"],
        base_total=RENEWAL_2023["total_cents"],
        bonus=bonus,
    )
    assert schedule.starts_on == first_end  # no day without a schedule, no day twice
    assert schedule.total_cents == TOTALS[(public, bonus)]
    assert [due for due, _ in schedule.tranches] == [
        first_end,
        add_months(first_end, 12),
        add_months(first_end, 24),
    ]
    assert all(schedule.starts_on <= due < schedule.ends_on for due, _ in schedule.tranches)
    assert months_between(schedule.starts_on, schedule.ends_on) == 36
    assert earned(schedule.total_cents, 36, 36) == schedule.total_cents
    assert all(amount > 0 for _, amount in schedule.tranches)


@pytest.mark.django_db
@pytest.mark.parametrize(("public", "bonus"), list(TOTALS))
def test_the_validated_renewal_writes_the_computed_schedule(public, bonus, anct, today):
    from tests.factories import MembershipFactory, StructureFactory

    structure = StructureFactory(departement_id="37", privee=not public, qpv=bonus, zrr=False)
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    career = Career(structure=structure, manager=manager, anct=anct)
    match = career.recruit(months_ago(21, today))
    old = career.subvention(match)
    renewal = renewals.renewal_initiate(
        convention=old.convention, post_ids=[old.post_id], by=manager
    )
    convention = renewals.renewal_validate(renewal=renewal, by=anct)
    new = Subvention.objects.get(convention=convention)
    expected = renewals.schedule(
        lines(public),
        starts_on=old.ends_on,
        duration_months=36,
        base_total=None,
        bonus=bonus,
    )
    written = [(t.due_on, t.amount_cents) for t in new.tranches.order_by("rank")]
    assert written == list(expected.tranches)
    assert new.total_cents == expected.total_cents == TOTALS[(public, bonus)]
    assert (new.started_on, new.ends_on) == (expected.starts_on, expected.ends_on)
