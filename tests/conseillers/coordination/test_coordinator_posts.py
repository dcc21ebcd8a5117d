"""Coordinator posts in the ledger and at recruitment: the total quota invariant holds as before,
and the coordinator part has its own (occupied coordinator posts ≤ coordinator quota)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from conseillers import selectors, services
from conseillers.models import (
    CandidatureState,
    Decision,
    DecisionKind,
    MatchState,
    Post,
    PostKind,
)
from tests.conseillers.coordination.conftest import grant, in_post
from tests.conseillers.factories import CONTRACT, CandidatureFactory, MatchFactory

pytestmark = pytest.mark.django_db


def decide(candidature, anct, posts, coordinators=None, motive=""):
    return services.decision_record(
        candidature=candidature,
        posts_granted=posts,
        coordinator_posts_granted=coordinators,
        number=f"D-{posts}-{coordinators}",
        decided_on=datetime.date(2026, 3, 1),
        motive=motive,
        by=anct,
    )


def recruit(structure, manager, kind=PostKind.CONSEILLER):
    match = MatchFactory(structure=structure, state=MatchState.INTERESTED)
    return services.match_recruit(match=match, by=manager, post_kind=kind, **CONTRACT)


def test_an_initial_decision_grants_coordinator_posts_among_its_posts(structure, anct, envelope_37):
    candidature = CandidatureFactory(structure=structure)
    decision = decide(candidature, anct, posts=3, coordinators=1)
    assert (decision.kind, decision.posts_granted, decision.coordinator_posts_granted) == (
        DecisionKind.INITIAL,
        3,
        1,
    )
    assert selectors.quota_of_structure(structure) == 3
    assert selectors.coordinator_quota_of_structure(structure) == 1


def test_an_initial_decision_without_the_coordinator_part_grants_none(structure, anct, envelope_37):
    decision = decide(CandidatureFactory(structure=structure), anct, posts=2)
    assert decision.coordinator_posts_granted == 0


def test_more_coordinator_posts_than_posts_is_refused(structure, anct, envelope_37):
    with pytest.raises(ValidationError) as refused:
        decide(CandidatureFactory(structure=structure), anct, posts=2, coordinators=3)
    assert "coordinator_posts_granted" in refused.value.message_dict
    assert not Decision.objects.exists()


def test_the_database_refuses_coordinator_posts_beyond_the_posts(structure, anct):
    candidature = CandidatureFactory(structure=structure)
    with pytest.raises(IntegrityError):
        Decision.objects.create(
            candidature=candidature,
            kind=DecisionKind.INITIAL,
            posts_granted=1,
            coordinator_posts_granted=2,
            number="X",
            decided_on=datetime.date(2026, 1, 1),
            author=anct,
        )


def test_an_amendment_without_the_coordinator_part_keeps_the_one_in_force(
    coordinated_structure, anct, envelope_37
):
    candidature = coordinated_structure.candidatures.get()
    decision = decide(candidature, anct, posts=5, motive="Deux postes de plus")
    assert (decision.kind, decision.coordinator_posts_granted) == (DecisionKind.ADDITION, 1)


def test_an_amendment_may_turn_a_conseiller_post_into_a_coordinator_post(
    coordinated_structure, anct, envelope_37
):
    candidature = coordinated_structure.candidatures.get()
    with pytest.raises(ValidationError):  # an amendment states its motive
        decide(candidature, anct, posts=3, coordinators=2)
    decision = decide(candidature, anct, posts=3, coordinators=2, motive="Second coordinateur")
    assert decision.kind == DecisionKind.ADDITION
    assert selectors.coordinator_quota_in_force(candidature) == 2


def test_an_unchanged_amendment_is_still_refused(coordinated_structure, anct, envelope_37):
    candidature = coordinated_structure.candidatures.get()
    with pytest.raises(ValidationError):
        decide(candidature, anct, posts=3, coordinators=1, motive="Rien ne change")


def test_withdrawing_an_occupied_coordinator_post_is_refused(coordinator, anct, envelope_37):
    candidature = coordinator.structure.candidatures.get()
    with pytest.raises(ValidationError) as refused:
        decide(candidature, anct, posts=3, coordinators=0, motive="Retrait")
    assert "coordinateur" in refused.value.message_dict["coordinator_posts_granted"][0]
    assert candidature.decisions.count() == 1


def test_a_coordinator_part_that_leaves_too_few_conseiller_posts_is_refused(
    coordinated_structure, anct, envelope_37
):
    in_post(coordinated_structure)
    in_post(coordinated_structure)
    candidature = coordinated_structure.candidatures.get()
    with pytest.raises(ValidationError) as refused:
        decide(candidature, anct, posts=3, coordinators=2, motive="Un coordinateur de plus")
    assert "conseiller numérique" in refused.value.message_dict["coordinator_posts_granted"][0]


def test_a_recruitment_onto_a_coordinator_post_takes_a_coordinator_post(
    coordinated_structure, gestionnaire
):
    match = recruit(coordinated_structure, gestionnaire, PostKind.COORDINATOR)
    assert match.state == MatchState.RECRUITED
    assert Post.objects.get(holder=match).kind == PostKind.COORDINATOR


def test_a_second_coordinator_is_refused_when_the_coordinator_post_is_taken(
    coordinator, gestionnaire
):
    with pytest.raises(ValidationError) as refused:
        recruit(coordinator.structure, gestionnaire, PostKind.COORDINATOR)
    assert "(1 sur 1)" in refused.value.message_dict["post_kind"][0]


def test_a_structure_without_coordinator_posts_cannot_recruit_a_coordinator(
    neighbour, gestionnaire_of
):
    with pytest.raises(ValidationError) as refused:
        recruit(neighbour, gestionnaire_of(neighbour), PostKind.COORDINATOR)
    assert "aucun poste" in refused.value.message_dict["post_kind"][0]


def test_conseillers_cannot_take_the_post_kept_for_the_coordinator(
    coordinated_structure, gestionnaire
):
    recruit(coordinated_structure, gestionnaire)
    recruit(coordinated_structure, gestionnaire)
    with pytest.raises(ValidationError) as refused:
        recruit(coordinated_structure, gestionnaire)
    assert "(2 sur 2)" in refused.value.message_dict["post_kind"][0]
    # The post left is the coordinator's, and the total invariant still holds after it.
    recruit(coordinated_structure, gestionnaire, PostKind.COORDINATOR)
    with pytest.raises(ValidationError, match="Tous les postes de la structure sont occupés"):
        recruit(coordinated_structure, gestionnaire, PostKind.COORDINATOR)


def test_a_replacement_coordinator_fills_the_vacant_coordinator_post(
    coordinator, gestionnaire, anct
):
    post = Post.objects.get(holder=coordinator)
    services.match_end(match=coordinator, by=anct)
    in_post(coordinator.structure)  # a conseiller recruited meanwhile gets a post of their own
    replacement = recruit(coordinator.structure, gestionnaire, PostKind.COORDINATOR)
    assert Post.objects.get(holder=replacement) == post


def test_an_unknown_kind_of_post_is_refused(coordinated_structure, gestionnaire):
    with pytest.raises(ValidationError) as refused:
        recruit(coordinated_structure, gestionnaire, "chef")
    assert "post_kind" in refused.value.message_dict


def test_existing_decisions_and_posts_default_to_conseillers(structure):
    candidature = grant(structure, posts=2)
    assert candidature.state == CandidatureState.VALIDATED
    assert selectors.coordinator_quota_of_structure(structure) == 0
    assert Post.objects.get(holder=in_post(structure)).kind == PostKind.CONSEILLER
