"""Renewal of a convention under the 2023 regime: the structure picks its posts, ANCT validates in
one transaction (new convention, new matches, new schedules, no vacancy), the posts not renewed
end with their schedule and are returned."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from conseillers.models import Match, MatchState, Post, PostHolding
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import (
    Convention,
    ConventionRenewal,
    RenewalState,
    RenewalTransition,
    Subvention,
    SubventionState,
)
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_posts(career: Career, today):
    """Two conseillers in post for 20 months: their convention ends in 4 months (window open)."""
    first = career.recruit(months_ago(20, today))
    second = career.recruit(months_ago(19, today))
    return first, second


def convention_of(career: Career, match: Match) -> Convention:
    return career.subvention(match).convention


def occupying(structure) -> int:
    return Match.objects.occupying().filter(structure=structure).count()


def test_the_window_opens_six_months_before_the_last_schedule_ends(career, two_posts, today):
    renewal = ConventionRenewal.of(convention_of(career, two_posts[0]))
    assert renewal.convention_ends_on == add_months(months_ago(19, today), 24)
    assert renewal.window_opens_on == add_months(renewal.convention_ends_on, -6)
    assert renewal.window_open(today)
    assert not renewal.window_open(renewal.window_opens_on - datetime.timedelta(days=1))
    assert not renewal.window_open(renewal.convention_ends_on)


def test_before_the_window_the_structure_cannot_answer(career, today):
    match = career.recruit(months_ago(2, today))
    with pytest.raises(PermissionDenied):
        renewals.renewal_initiate(
            convention=convention_of(career, match),
            post_ids=[career.subvention(match).post_id],
            by=career.manager,
        )


def test_initiating_opens_a_renewal_match_per_chosen_post(
    career, two_posts, django_capture_on_commit_callbacks
):
    first, _ = two_posts
    old_end = career.subvention(first).ends_on
    with django_capture_on_commit_callbacks(execute=True):
        renewal = renewals.renewal_initiate(
            convention=convention_of(career, first),
            post_ids=[career.subvention(first).post_id],
            by=career.manager,
        )
    assert renewal.state == RenewalState.INITIATED
    (renewed,) = renewal.posts.all()
    assert renewed.previous_match == first
    assert renewed.match.candidat == first.candidat
    assert renewed.match.state == MatchState.RENEWAL
    assert renewed.starts_on == old_end
    log = RenewalTransition.objects.get(renewal=renewal)
    assert (log.from_state, log.to_state, log.by) == (
        "a_decider",
        "renouvellement_initie",
        career.manager,
    )
    assert occupying(career.structure) == 2  # a renewal match holds nothing yet
    (email,) = mail.outbox
    assert "demande de renouvellement est reçue" in email.subject
    assert str(first.candidat) in email.body


def test_only_posts_in_service_can_be_renewed(career, two_posts, today):
    first, second = two_posts
    career.rupture(second, today)
    with pytest.raises(ValidationError):
        renewals.renewal_initiate(
            convention=convention_of(career, first),
            post_ids=[career.subvention(second).post_id],
            by=career.manager,
        )


def _initiate(career: Career, *matches: Match) -> ConventionRenewal:
    return renewals.renewal_initiate(
        convention=convention_of(career, matches[0]),
        post_ids=[career.subvention(m).post_id for m in matches],
        by=career.manager,
    )


def test_validation_opens_the_new_convention_and_continues_the_post_without_vacancy(
    career, two_posts, today, django_capture_on_commit_callbacks
):
    first, _ = two_posts
    old_subvention = career.subvention(first)
    renewal = _initiate(career, first)
    before = occupying(career.structure)
    with django_capture_on_commit_callbacks(execute=True):
        convention = renewals.renewal_validate(renewal=renewal, by=career.anct)

    assert convention.renews == old_subvention.convention
    assert convention.regime.code == "reconventionnement-2023"
    assert (convention.posts, convention.public, convention.bonus) == (1, True, False)
    renewed = renewal.posts.get()
    new_match, previous = Match.objects.get(pk=renewed.match_id), Match.objects.get(pk=first.pk)
    assert previous.state == MatchState.ENDED
    assert new_match.state == MatchState.FINALISED
    post = Post.objects.get(pk=old_subvention.post_id)
    assert post.holder == new_match
    assert post.vacant_since is None and post.returned_on is None
    assert PostHolding.objects.get(match=previous).ended_on == renewed.starts_on
    assert PostHolding.objects.get(match=new_match).started_on == renewed.starts_on
    # The old schedule is served in full; the new one is the 2023 public one, from its end.
    old_subvention.refresh_from_db()
    assert old_subvention.state == SubventionState.CLOSED
    assert old_subvention.earned_cents == old_subvention.total_cents
    new = Subvention.objects.get(holder=new_match)
    assert new.convention == convention
    assert new.started_on == renewed.starts_on == old_subvention.ends_on
    assert new.ends_on == add_months(renewed.starts_on, 36)
    assert [t.amount_cents for t in new.tranches.order_by("rank")] == [
        1_750_000,
        1_250_000,
        1_250_000,
    ]
    assert occupying(career.structure) == before
    assert ConventionRenewal.objects.get(pk=renewal.pk).state == RenewalState.VALIDATED
    subjects = sorted(email.subject for email in mail.outbox)
    assert subjects == [
        "Conseillers numériques : votre convention est renouvelée",
        "Conseillers numériques : votre poste est renouvelé",
    ]
    assert [email.to for email in mail.outbox if "poste" in email.subject] == [
        [first.candidat.email]
    ]


def test_a_private_structure_in_qpv_gets_the_private_amounts_without_bonus(
    private_structure, private_manager, anct, today
):
    private_structure.qpv = True
    private_structure.save()
    career = Career(structure=private_structure, manager=private_manager, anct=anct)
    match = career.recruit(months_ago(20, today))
    convention = renewals.renewal_validate(renewal=_initiate(career, match), by=anct)
    new = Subvention.objects.get(convention=convention)
    assert (convention.public, convention.bonus) == (False, True)
    assert [t.amount_cents for t in new.tranches.order_by("rank")] == [
        2_000_000,
        1_400_000,
        1_000_000,
    ]


def test_a_conseiller_who_left_before_the_validation_is_not_renewed(career, two_posts, today):
    first, second = two_posts
    renewal = _initiate(career, first, second)
    career.rupture(second, today)
    convention = renewals.renewal_validate(renewal=renewal, by=career.anct)
    assert convention.posts == 1
    dropped = renewal.posts.get(previous_match=second).match
    assert Match.objects.get(pk=dropped.pk).state == MatchState.ENDED


def test_refusing_needs_a_reason_and_drops_the_renewal_matches(career, two_posts):
    first, _ = two_posts
    renewal = _initiate(career, first)
    with pytest.raises(ValidationError):
        renewals.renewal_refuse(renewal=renewal, reason=" ", by=career.anct)
    renewals.renewal_refuse(renewal=renewal, reason="Postes non prioritaires.", by=career.anct)
    assert ConventionRenewal.objects.get(pk=renewal.pk).state == RenewalState.REFUSED
    assert renewal.posts.get().match.state == MatchState.ENDED
    assert Match.objects.get(pk=first.pk).state == MatchState.FINALISED
    # A refused request may be filed again while the window is open.
    again = _initiate(career, first)
    assert again.state == RenewalState.INITIATED
    assert again.posts.get().match.state == MatchState.RENEWAL


def test_the_structure_may_withdraw_its_request_and_the_posts_then_end_with_the_convention(
    career, two_posts, today
):
    first, _ = two_posts
    convention = convention_of(career, first)
    _initiate(career, first)
    renewals.renewal_decline(convention=convention, by=career.manager, reason="Budget.")
    renewal = ConventionRenewal.objects.get(convention=convention)
    assert renewal.state == RenewalState.NOT_INTERESTED
    assert renewal.posts.get().match.state == MatchState.ENDED

    first_end = career.subvention(first).ends_on
    assert renewals.renewals_release(today=first_end - datetime.timedelta(days=1)) == 0
    assert renewals.renewals_release(today=first_end) == 1
    post = Post.objects.get(pk=career.subvention(first).post_id)
    assert (post.holder, post.vacant_since, post.returned_on) == (None, first_end, first_end)
    assert Match.objects.get(pk=first.pk).state == MatchState.ENDED
    closed = Subvention.objects.get(pk=career.subvention(first).pk)
    assert closed.state == SubventionState.CLOSED
    assert closed.earned_cents == closed.total_cents
    assert renewals.renewals_release(today=first_end) == 0  # idempotent


def test_posts_not_renewed_are_released_and_renewed_ones_stay(career, two_posts):
    first, second = two_posts
    renewals.renewal_validate(renewal=_initiate(career, first), by=career.anct)
    last_end = Subvention.objects.get(holder=second).ends_on
    assert renewals.renewals_release(today=last_end) == 1
    assert Post.objects.get(holdings__match=second).returned_on == last_end
    renewed_post = Post.objects.get(holdings__match=first)
    assert renewed_post.returned_on is None and renewed_post.holder is not None


def test_validation_in_one_transaction_rolls_back_whole(career, two_posts, monkeypatch):
    first, _ = two_posts
    renewal = _initiate(career, first)

    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(renewals.subsidy, "tranches_mark_due", broken)
    with pytest.raises(RuntimeError):
        renewals.renewal_validate(renewal=renewal, by=career.anct)
    assert Convention.objects.filter(renews__isnull=False).count() == 0
    assert Match.objects.get(pk=first.pk).state == MatchState.FINALISED
    assert ConventionRenewal.objects.get(pk=renewal.pk).state == RenewalState.INITIATED


def test_the_renewal_log_is_append_only_in_the_database(career, two_posts):
    renewal = _initiate(career, two_posts[0])
    log = RenewalTransition.objects.get(renewal=renewal)
    table = RenewalTransition._meta.db_table
    for verb in ("UPDATE {} SET reason = 'x'", "DELETE FROM {}"):
        statement = verb.format(table) + " WHERE id = %s"
        with (
            pytest.raises(DatabaseError, match="reconventionnements"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [log.pk])


def test_one_first_convention_per_candidature_in_the_database(career, two_posts):
    convention = convention_of(career, two_posts[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.create(
            structure=convention.structure,
            candidature=convention.candidature,
            regime=convention.regime,
            number="CNFS-DOUBLE",
            signed_on=convention.signed_on,
            public=True,
            bonus=False,
            posts=1,
            signed_by=career.anct,
        )
