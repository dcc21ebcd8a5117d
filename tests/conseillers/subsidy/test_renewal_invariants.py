"""The quota and envelope invariants on the renewal's path: posts occupied never exceed the quota
in force, a renewal grants no post, and the posts released give their place back."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conseillers import selectors
from conseillers.models import Match
from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.models import Subvention
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db


def occupying(structure) -> int:
    return Match.objects.occupying().filter(structure=structure).count()


def test_a_full_structure_stays_full_through_initiation_validation_and_release(
    structure, gestionnaire, anct, today
):
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=2)
    first = career.recruit(months_ago(20, today))
    second = career.recruit(months_ago(20, today))
    quota = selectors.quota_of_structure(structure)
    granted = selectors.posts_granted_in("37")
    assert occupying(structure) == quota == 2

    convention = career.subvention(first).convention
    renewal = renewals.renewal_initiate(
        convention=convention, post_ids=[career.subvention(first).post_id], by=gestionnaire
    )
    assert occupying(structure) == 2  # the renewal match holds no post before validation
    with pytest.raises(ValidationError, match="Tous les postes"):
        career.recruit(months_ago(1, today))

    renewals.renewal_validate(renewal=renewal, by=anct)
    assert occupying(structure) == 2  # one match ended for the one that took its post
    assert selectors.posts_granted_in("37") == granted  # a renewal grants no post
    with pytest.raises(ValidationError, match="Tous les postes"):
        career.recruit(months_ago(1, today))

    end = Subvention.objects.get(holder=second).ends_on
    assert renewals.renewals_release(today=end) == 1
    assert occupying(structure) == 1 <= selectors.quota_of_structure(structure)


def test_a_refused_renewal_changes_no_count(career, anct, today):
    match = career.recruit(months_ago(20, today))
    before = occupying(career.structure)
    renewal = renewals.renewal_initiate(
        convention=career.subvention(match).convention,
        post_ids=[career.subvention(match).post_id],
        by=career.manager,
    )
    renewals.renewal_refuse(renewal=renewal, reason="Hors priorités.", by=anct)
    assert occupying(career.structure) == before
    assert Match.objects.filter(candidat=match.candidat).occupying().count() == 1
