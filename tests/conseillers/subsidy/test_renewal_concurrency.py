"""On PostgreSQL, where row locks are real: ANCT's validation clicked from many sessions at once
opens one new convention; a manager answering twice at once initiates once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from conseillers.models import Match, MatchState
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.models import Convention, ConventionRenewal, RenewalTransition
from tests.conseillers.subsidy.helpers import months_ago
from tests.conseillers.subsidy.test_concurrency_postgres import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _refused(call):
    def run(i: int) -> object:
        try:
            return call(i)
        except PermissionDenied:
            return "refusé"

    return run


def test_simultaneous_validations_open_one_convention(career):
    match = career.recruit(months_ago(20))
    subvention = career.subvention(match)
    renewal = renewals.renewal_initiate(
        convention=subvention.convention, post_ids=[subvention.post_id], by=career.manager
    )

    outcomes = at_once(
        _refused(lambda i: renewals.renewal_validate(renewal=renewal, by=career.anct)), count=8
    )

    assert sum(isinstance(o, Convention) for o in outcomes) == 1
    assert outcomes.count("refusé") == 7
    assert Convention.objects.filter(renews=subvention.convention).count() == 1
    assert Match.objects.filter(candidat=match.candidat).occupying().count() == 1
    assert RenewalTransition.objects.filter(renewal=renewal, transition="validate").count() == 1


def test_simultaneous_first_answers_create_one_renewal(career):
    match = career.recruit(months_ago(20))
    subvention = career.subvention(match)

    outcomes = at_once(
        _refused(
            lambda i: renewals.renewal_initiate(
                convention=subvention.convention, post_ids=[subvention.post_id], by=career.manager
            )
        ),
        count=8,
    )

    assert sum(isinstance(o, ConventionRenewal) for o in outcomes) == 1
    assert ConventionRenewal.objects.filter(convention=subvention.convention).count() == 1
    assert Match.objects.filter(state=MatchState.RENEWAL).count() == 1
