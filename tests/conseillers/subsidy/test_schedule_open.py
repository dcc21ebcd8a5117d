"""Validating a recruitment opens the post's schedule from the regime, dated from the contract
start, in the same transaction as the validation."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from conseillers import services
from conseillers.models import MatchState
from conseillers.subsidy.models import (
    Convention,
    SubsidyTransition,
    Subvention,
    SubventionState,
    Tranche,
    TrancheState,
)
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db


def test_a_validated_recruitment_gets_the_france_relance_schedule_dated_from_its_contract(
    career, today
):
    start = months_ago(2, today)
    match = career.recruit(start)

    subvention = career.subvention(match)
    convention = subvention.convention
    assert convention.regime.code == "france-relance-2021"
    assert convention.posts == 3
    assert subvention.total_cents == 5_000_000
    assert subvention.state == SubventionState.ACTIVE
    assert [(t.rank, t.amount_cents, t.month) for t in career.tranches(match)] == [
        (1, 2_000_000, 0),
        (2, 2_000_000, 12),
        (3, 1_000_000, 24),
    ]
    assert [t.due_on for t in career.tranches(match)] == [
        start,
        datetime.date(start.year + 1, start.month, start.day),
        datetime.date(start.year + 2, start.month, start.day),
    ]
    assert subvention.ends_on == datetime.date(start.year + 2, start.month, start.day)


def test_the_first_tranche_falls_due_at_once_when_the_contract_has_started(career, today):
    tranches = career.tranches(career.recruit(months_ago(1, today)))
    assert [t.state for t in tranches] == [
        TrancheState.DUE,
        TrancheState.PLANNED,
        TrancheState.PLANNED,
    ]
    log = SubsidyTransition.objects.get(tranche=tranches[0])
    assert (log.transition, log.from_state, log.to_state) == ("mark_due", "prevue", "due")
    assert log.by == career.anct  # the validation made it due: its author acted


def test_a_contract_starting_later_waits_for_its_date(career, today):
    tranches = career.tranches(career.recruit(today + datetime.timedelta(days=10)))
    assert tranches[0].state == TrancheState.PLANNED


def test_the_convention_is_signed_once_under_the_default_regime_for_every_post(career, today):
    first = career.recruit(months_ago(1, today))
    second = career.recruit(months_ago(1, today))
    assert Convention.objects.filter(structure=career.structure).count() == 1
    assert career.subvention(first).convention == career.subvention(second).convention
    assert career.subvention(first).post != career.subvention(second).post


def test_a_public_structure_in_qpv_gets_the_2023_amounts_with_its_bonus(
    structure, gestionnaire, anct, renewal_2023, today
):
    from conseillers.subsidy import services as subsidy

    structure.qpv = True
    structure.save()
    subsidy.regime_set_default(regime=renewal_2023, by=anct)
    career = Career(structure=structure, manager=gestionnaire, anct=anct)
    tranches = career.tranches(career.recruit(months_ago(1, today)))
    assert [t.amount_cents for t in tranches] == [2_000_000, 1_750_000, 1_250_000]
    assert sum(t.amount_cents for t in tranches) == 5_000_000
    assert [t.month for t in tranches] == [0, 12, 24]


def test_a_private_structure_gets_the_private_2023_amounts(
    private_structure, private_manager, anct, renewal_2023, today
):
    from conseillers.subsidy import services as subsidy

    subsidy.regime_set_default(regime=renewal_2023, by=anct)
    career = Career(structure=private_structure, manager=private_manager, anct=anct)
    tranches = career.tranches(career.recruit(months_ago(1, today)))
    assert [t.amount_cents for t in tranches] == [2_000_000, 1_400_000, 1_000_000]


def test_no_schedule_without_a_default_regime_and_the_validation_still_succeeds(
    career, today, france_relance
):
    france_relance.is_default = False
    france_relance.save()
    match = career.recruit(months_ago(1, today))
    assert match.state == MatchState.FINALISED
    assert not Subvention.objects.exists()


def test_a_failing_schedule_rolls_the_validation_back(career, today, monkeypatch):
    from conseillers.subsidy import services as subsidy

    match = career.recruit(months_ago(1, today), finalise=False)

    def broken(**kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(subsidy, "subvention_open", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.match_act(match=match, action="finalise", by=career.anct)
    match.refresh_from_db()
    assert match.state == MatchState.RECRUITED
    assert not Tranche.objects.exists()


def test_the_salary_is_checked_again_when_a_tranche_falls_due(career, today):
    from conseillers.models import SmicRate
    from conseillers.subsidy import services as subsidy

    match = career.recruit(months_ago(1, today), salary=Decimal("1810.00"))
    # ANCT records a higher SMIC from next month: the next tranche's date is after it.
    SmicRate.objects.create(valid_from=months_ago(-1, today), hourly_gross=Decimal("12.50"))
    second = career.tranches(match)[1]
    report = subsidy.tranches_mark_due(today=second.due_on)
    second.refresh_from_db()
    assert report.blocked == 1
    assert second.state == TrancheState.BLOCKED
    assert second.blocked_reason == (
        "Tranche bloquée : Le salaire brut mensuel (1\u202f810,00 €) est inférieur au SMIC pour "
        "35 h par semaine (1\u202f895,83 €, au taux de 12,50 € de l'heure en vigueur le "
        f"{second.due_on:%d/%m/%Y})."
    )
