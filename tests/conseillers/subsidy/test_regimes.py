"""Regimes are data: the two shipped ones, ANCT's new ones for future conventions, and a regime
frozen by the database once a convention uses it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import Regime
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


def test_france_relance_splits_50000_euros_40_40_20(france_relance):
    assert france_relance.duration_months == 24
    assert france_relance.amounts_for(public=True, bonus=False) == [2_000_000, 2_000_000, 1_000_000]
    assert france_relance.amounts_for(public=False, bonus=True) == [2_000_000, 2_000_000, 1_000_000]
    lines = france_relance.lines_for(public=True)
    assert [(line.trigger, line.month, line.justification) for line in lines] == [
        ("recrutement_valide", 0, "aucun"),
        ("justificatif_accepte", 12, "activite"),
        ("justificatif_accepte", 24, "final"),
    ]


@pytest.mark.parametrize(
    ("public", "bonus", "amounts"),
    [
        (True, True, [2_000_000, 1_750_000, 1_250_000]),
        (True, False, [1_750_000, 1_250_000, 1_250_000]),
        (False, False, [2_000_000, 1_400_000, 1_000_000]),
        (False, True, [2_000_000, 1_400_000, 1_000_000]),
    ],
)
def test_the_2023_renewal_amounts(renewal_2023, public, bonus, amounts):
    assert renewal_2023.duration_months == 36
    assert renewal_2023.amounts_for(public=public, bonus=bonus) == amounts


def _lines(shares):
    return [
        {
            "rank": rank,
            "label": f"Tranche {rank}",
            "share_bp": share,
            "trigger": "recrutement_valide" if rank == 1 else "mois_atteint",
            "month": 12 * (rank - 1),
        }
        for rank, share in enumerate(shares, start=1)
    ]


def test_anct_creates_a_regime_whose_shares_round_down_and_leave_the_rest_to_the_last(anct):
    regime = subsidy.regime_create(
        code="essai",
        name="Essai",
        duration_months=24,
        total_cents=1_000_001,
        vacancy_window_months=6,
        lines=_lines([3333, 3333, 3334]),
        by=anct,
    )
    assert regime.amounts_for(public=True, bonus=False) == [333_300, 333_300, 333_401]
    assert not regime.is_default


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ([5000, 4000], "totaliser 100 %"),
        ([10000, 0, 0, 0], None),
    ],
)
def test_shares_must_total_100_percent(anct, shares, message):
    call = {
        "code": "essai",
        "name": "Essai",
        "duration_months": 48,
        "total_cents": 100,
        "vacancy_window_months": 6,
        "lines": _lines(shares),
        "by": anct,
    }
    if message is None:
        assert subsidy.regime_create(**call).total_for(public=True, bonus=False) == 100
        return
    with pytest.raises(ValidationError, match=message):
        subsidy.regime_create(**call)
    assert not Regime.objects.filter(code="essai").exists()


def test_only_anct_creates_a_regime(gestionnaire):
    with pytest.raises(PermissionDenied):
        subsidy.regime_create(
            code="x",
            name="x",
            duration_months=1,
            total_cents=1,
            vacancy_window_months=6,
            lines=[],
            by=gestionnaire,
        )


def test_a_regime_in_use_is_frozen_by_the_database(career, today, france_relance):
    career.recruit(months_ago(1, today))
    line = france_relance.lines.get(rank=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(share_bp=5000)
    with pytest.raises(DatabaseError), transaction.atomic():
        Regime.objects.filter(pk=france_relance.pk).update(duration_months=12)
    with pytest.raises(DatabaseError), transaction.atomic():
        type(line).objects.create(
            regime=france_relance, rank=9, label="x", amount_cents=1, trigger="mois_atteint"
        )
    # Whether it is offered to new conventions is not one of its terms.
    Regime.objects.filter(pk=france_relance.pk).update(is_default=False)


def test_an_unused_regime_can_still_be_edited(renewal_2023):
    renewal_2023.lines.filter(rank=3).update(amount_cents=1_300_000)
    Regime.objects.filter(pk=renewal_2023.pk).update(duration_months=30)


def test_a_convention_keeps_its_regime_when_anct_changes_the_default(
    career, today, renewal_2023, anct
):
    first = career.recruit(months_ago(2, today))
    subsidy.regime_set_default(regime=renewal_2023, by=anct)
    second = career.recruit(months_ago(1, today))
    assert career.subvention(second).convention.regime.code == "france-relance-2021"
    assert career.subvention(second).total_cents == career.subvention(first).total_cents
    assert Regime.objects.get(is_default=True) == renewal_2023
