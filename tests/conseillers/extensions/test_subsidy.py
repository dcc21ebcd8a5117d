"""What an extension changes in the subsidy and the vacancy rules, through the real services: the
schedule's projection at the contract's term, the vacancy and the months of service counted when
the contract ends after its (extended) term, the reconciliation that follows."""

import datetime
from decimal import Decimal

import pytest

from conseillers import services as programme
from conseillers.extensions import services
from conseillers.models import Match, MatchState, Post, PostHolding
from conseillers.subsidy import selectors
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Subvention, SubventionState, TrancheState
from tests.conseillers.factories import CandidatFactory, MatchFactory
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def career(structure, gestionnaire, anct) -> Career:
    return Career(structure=structure, manager=gestionnaire, anct=anct)


def recruit_cdd(career: Career, start: datetime.date, months: int) -> Match:
    """A CDD of `months` months from `start` (its end date the day before the anniversary),
    validated by ANCT: the post's schedule opens (France Relance: 24 months, 40/40/20 %)."""
    match = MatchFactory(
        structure=career.structure, candidat=CandidatFactory(), state=MatchState.INTERESTED
    )
    programme.match_recruit(
        match=match,
        contract_type="cdd",
        start_date=start,
        end_date=add_months(start, months) - DAY,
        gross_monthly_salary=Decimal("1900.00"),
        weekly_hours=Decimal("35"),
        by=career.manager,
    )
    programme.match_finalise(match=match, by=career.anct)
    return Match.objects.select_related("contract").get(pk=match.pk)


def extend(career: Career, match: Match, months: int, today: datetime.date | None = None):
    start = match.contract.start_date
    extension = services.extension_request(
        match=match,
        requested_end_date=add_months(start, months) - DAY,
        by=career.manager,
        today=today,
    )
    return services.extension_validate(extension=extension, by=career.anct)


def term(subvention: Subvention):
    subvention = (
        Subvention.objects.select_related("holder__contract")
        .prefetch_related("tranches")
        .get(pk=subvention.pk)
    )
    return selectors.contract_term(subvention, paid_cents=0)


def test_the_projection_at_the_contract_term_follows_the_extension(career):
    match = recruit_cdd(career, months_ago(3), months=12)
    subvention = career.subvention(match)
    before = term(subvention)
    assert before is not None
    assert before.contract_end == match.contract.end_date
    assert (before.projection.months_served, before.projection.earned_cents) == (12, 2_500_000)
    assert before.projection.unreached_ranks == (3,)  # month 24 is past a 12-month contract
    extend(career, match, months=18)
    after = term(subvention)
    assert after is not None
    assert after.contract_end == add_months(match.contract.start_date, 18) - DAY
    assert (after.projection.months_served, after.projection.earned_cents) == (18, 3_750_000)
    # The due dates never move: an extension changes what the term reaches, not the schedule.
    assert [t.due_on for t in career.tranches(match)] == [
        match.contract.start_date,
        add_months(match.contract.start_date, 12),
        add_months(match.contract.start_date, 24),
    ]
    extend(career, match, months=24)
    assert term(subvention) is None  # the contract now covers the whole schedule


def test_the_api_and_the_structure_page_show_the_extended_term(career, client):
    match = recruit_cdd(career, months_ago(3), months=12)
    extend(career, match, months=18)
    client.force_login(career.manager)
    body = client.get(f"/api/conseillers/subventions/?poste={match.post.pk}").json()
    (found,) = body["results"]
    end = add_months(match.contract.start_date, 18) - DAY
    assert found["contract_term"] == {
        "contract_end": end.isoformat(),
        "service_ends_on": (end + DAY).isoformat(),
        "months_served": 18,
        "earned_cents": 3_750_000,
        "unreached_ranks": [3],
        "recovery_cents": 0,
    }
    page = client.get("/conseillers/subventions/").content.decode()
    assert f"prend fin le {end:%d/%m/%Y} : à ce terme, 18 mois de service sur 24" in page


def test_a_contract_ended_after_its_extended_term_is_vacant_from_the_next_day(career, today):
    """Requested in time eight months ago, validated, the extended term passed a month ago: the
    end recorded today dates the vacancy, the months served and the window from the term."""
    start = months_ago(20)
    match = recruit_cdd(career, start, months=12)
    extend(career, match, months=19, today=add_months(start, 11))
    extended_end = add_months(start, 19) - DAY
    assert Match.objects.get(pk=match.pk).contract.end_date == extended_end
    programme.match_end(match=match, by=career.anct)
    post = Post.objects.get(holdings__match=match)
    assert post.vacant_since == extended_end + DAY
    assert PostHolding.objects.get(match=match).ended_on == extended_end + DAY
    subvention = career.subvention(match)
    assert subvention.state == SubventionState.VACANT
    assert subvention.months_carried == 19
    assert subvention.vacancy_deadline == add_months(extended_end + DAY, 6)
    # The reconciliation leaves it suspended while the window (from the extended term) is open.
    subsidy.subventions_reconcile(today=today)
    assert Subvention.objects.get(pk=subvention.pk).state == SubventionState.VACANT


def test_without_the_extension_the_same_end_counts_from_the_original_term(career, today):
    start = months_ago(20)
    match = recruit_cdd(career, start, months=12)
    programme.match_end(match=match, by=career.anct)
    subvention = career.subvention(match)
    assert subvention.months_carried == 12
    assert subvention.vacant_since == add_months(start, 12)
    # Its window (six months from the original term) is over: closed at 12 months of service.
    subsidy.subventions_reconcile(today=today)
    closed = Subvention.objects.get(pk=subvention.pk)
    assert (closed.state, closed.months_served) == (SubventionState.CLOSED, 12)
    assert closed.tranches.get(rank=3).state == TrancheState.CANCELLED


def test_a_contract_ended_before_its_term_is_vacant_from_today(career, today):
    match = recruit_cdd(career, months_ago(3), months=12)
    programme.match_end(match=match, by=career.anct)
    assert PostHolding.objects.get(match=match).ended_on == today
