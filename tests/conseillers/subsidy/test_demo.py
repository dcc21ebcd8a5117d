"""The subsidy demo: the Ville de Tours's convention, Camille's schedule, its first tranche paid;
loading it twice changes nothing."""

import pytest

from conseillers.subsidy import demo as subsidy_demo
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import (
    Convention,
    Payment,
    Recovery,
    SubsidyTransition,
    Subvention,
    SubventionState,
    TrancheState,
)
from conseillers.subsidy.selectors import projected_recovery
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
    payment = Payment.objects.get(tranche__subvention=subvention)
    assert (payment.reference, payment.amount_cents) == ("BDT-2026-000001", 2_000_000)


def test_the_demo_leaves_a_vacancy_past_its_window_for_the_beat_to_reconcile(demo, today):
    """`make run`'s beat turns it into a recovery: the demo itself creates none."""
    subvention = Subvention.objects.get(holder__candidat__email=subsidy_demo.INES)
    assert subvention.state == SubventionState.VACANT
    assert subvention.vacancy.closes_on <= today
    assert not Recovery.objects.exists()
    projected = projected_recovery(subvention, 2_000_000)
    assert projected is not None and projected.amount_cents == 2_000_000 - 5_000_000 * 4 // 24
    subsidy.subventions_reconcile(today=today)
    assert Recovery.objects.get().amount_cents == projected.amount_cents


def test_the_demo_holds_a_renewal_request_waiting_for_anct(demo):
    from conseillers.subsidy import renewal_demo
    from conseillers.subsidy.models import ConventionRenewal, RenewalState

    renewal = ConventionRenewal.objects.get(
        convention__structure__siret=renewal_demo.SOLIDARITE_NUMERIQUE_93
    )
    assert renewal.state == RenewalState.INITIATED
    (renewed,) = renewal.posts.all()
    assert renewed.match.candidat.email == renewal_demo.LEA
    assert renewal.window_open()
    users = {user.email: user for user in User.objects.all()}
    subsidy_demo.load(users)  # idempotent
    assert ConventionRenewal.objects.get(pk=renewal.pk).posts.count() == 1
