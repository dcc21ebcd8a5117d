"""The subsidy demo: the Ville de Tours's convention, Camille's schedule, its first tranche paid;
loading it twice changes nothing."""

import pytest

from conseillers.subsidy import demo as subsidy_demo
from conseillers.subsidy.models import (
    Convention,
    Payment,
    SubsidyTransition,
    Subvention,
    TrancheState,
)
from core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_pays_camilles_first_tranche_once(demo):
    users = {user.email: user for user in User.objects.all()}
    subsidy_demo.load(users)
    journal = SubsidyTransition.objects.count()
    subsidy_demo.load(users)
    assert SubsidyTransition.objects.count() == journal
    convention = Convention.objects.get(structure__siret=subsidy_demo.TOURS)
    assert convention.regime.code == "france-relance-2021"
    subvention = Subvention.objects.get(holder__candidat__email=subsidy_demo.CAMILLE)
    tranches = list(subvention.tranches.order_by("rank"))
    assert [t.state for t in tranches][:1] == [TrancheState.PAID]
    assert sum(t.amount_cents for t in tranches) == 5_000_000
    payment = Payment.objects.get()
    assert (payment.reference, payment.amount_cents) == ("BDT-2026-000001", 2_000_000)
