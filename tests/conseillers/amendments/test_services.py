"""The amendment services: what a structure may ask, what ANCT's acceptance writes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from conseillers import selectors
from conseillers import services as programme
from conseillers.amendments import services
from conseillers.amendments.models import AmendmentKind, AmendmentRequest, AmendmentState
from conseillers.models import DecisionKind, MatchState, Post
from tests.conseillers.amendments.conftest import ACCEPT
from tests.conseillers.amendments.factories import AmendmentRequestFactory
from tests.conseillers.factories import (
    CandidatureFactory,
    DecisionFactory,
    match_in,
)
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def vacant_post(structure, since=datetime.date(2026, 5, 1)) -> Post:
    """A post its conseiller left (rupture validated): nobody holds it."""
    return Post.objects.create(structure=structure, vacant_since=since)


def give_back(structure, by, posts=1, motive="difficultes_recrutement"):
    return services.amendment_request_submit(
        structure=structure, kind=AmendmentKind.GIVE_BACK, posts=posts, motive=motive, by=by
    )


def add(structure, by, posts=2):
    return services.amendment_request_submit(
        structure=structure,
        kind=AmendmentKind.ADD,
        posts=posts,
        justification="Deux nouvelles permanences ouvrent en mairie annexe.",
        by=by,
    )


def test_a_request_records_the_posts_held_when_it_was_made(structure, gestionnaire, granted):
    amendment = add(structure, gestionnaire)

    assert amendment.state == AmendmentState.PENDING
    assert amendment.posts_before == 3
    assert amendment.posts_after == 5
    assert amendment.requested_by == gestionnaire


def test_a_second_request_waits_for_the_first_to_be_decided(structure, gestionnaire, granted):
    first = add(structure, gestionnaire)

    with pytest.raises(ValidationError, match="déjà en attente"):
        give_back(structure, gestionnaire)

    services.amendment_request_cancel(amendment=first, by=gestionnaire)
    assert give_back(structure, gestionnaire).state == AmendmentState.PENDING


def test_the_database_itself_refuses_two_pending_requests_of_one_structure(structure):
    AmendmentRequestFactory(structure=structure)
    AmendmentRequestFactory(structure=structure, state=AmendmentState.CANCELLED)

    with pytest.raises(IntegrityError), transaction.atomic():
        AmendmentRequestFactory(structure=structure)


def test_giving_back_needs_one_of_the_real_motives(structure, gestionnaire, granted):
    with pytest.raises(ValidationError) as refused:
        give_back(structure, gestionnaire, motive="autre")

    assert refused.value.message_dict == {"motive": ["Choisissez le motif du rendu de postes."]}


def test_asking_for_more_posts_needs_a_justification(structure, gestionnaire, granted):
    with pytest.raises(ValidationError) as refused:
        services.amendment_request_submit(
            structure=structure, kind=AmendmentKind.ADD, posts=1, justification=" ", by=gestionnaire
        )

    assert "justification" in refused.value.message_dict


def test_a_structure_without_validated_application_is_sent_to_apply(structure, gestionnaire):
    CandidatureFactory(structure=structure)

    with pytest.raises(ValidationError, match="déposez une candidature"):
        add(structure, gestionnaire)


def test_giving_back_an_occupied_post_is_refused_with_the_count(structure, gestionnaire, granted):
    for _ in range(2):
        match_in(MatchState.FINALISED, structure=structure)

    with pytest.raises(ValidationError) as refused:
        give_back(structure, gestionnaire, posts=2)

    assert refused.value.message_dict["posts"] == [
        "Un poste occupé ne peut pas être rendu : sur 3 postes accordés, 2 sont occupés par un "
        "conseiller, vous pouvez en rendre 1 au plus. Un poste se libère par une rupture validée "
        "ou la fin du contrat."
    ]
    assert give_back(structure, gestionnaire, posts=1).posts == 1


def test_accepting_an_addition_writes_an_addition_to_the_ledger(
    structure, gestionnaire, granted, anct
):
    amendment = add(structure, gestionnaire, posts=2)

    accepted = services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)

    decision = accepted.decision
    assert accepted.state == AmendmentState.ACCEPTED
    assert (decision.candidature, decision.kind, decision.posts_granted) == (
        granted,
        DecisionKind.ADDITION,
        5,
    )
    assert decision.motive == f"Demande d'avenant n° {amendment.pk} : ajout de 2 postes"
    assert selectors.quota_of_structure(structure) == 5
    log = accepted.transitions.get()
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        "accept",
        "en_attente",
        "acceptee",
        anct,
    )


def test_anct_may_grant_fewer_posts_than_asked_never_more(structure, gestionnaire, granted, anct):
    amendment = add(structure, gestionnaire, posts=2)

    with pytest.raises(ValidationError, match="Accordez entre 1 et 2 postes"):
        services.amendment_request_accept(amendment=amendment, by=anct, posts_granted=3, **ACCEPT)
    accepted = services.amendment_request_accept(
        amendment=amendment, by=anct, posts_granted=1, **ACCEPT
    )

    assert accepted.decision.posts_granted == 4


def test_an_addition_beyond_the_envelope_needs_its_justification(
    structure, gestionnaire, granted, anct
):
    DecisionFactory(
        candidature__structure=StructureFactory(departement_id="37"), posts_granted=6
    )  # 3 + 6 of the 10 posts of the envelope are granted
    amendment = add(structure, gestionnaire, posts=2)

    with pytest.raises(ValidationError, match=r"il reste 4 postes\. Pour accorder 5 postes"):
        services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)
    assert AmendmentRequest.objects.get(pk=amendment.pk).state == AmendmentState.PENDING

    accepted = services.amendment_request_accept(
        amendment=amendment, by=anct, envelope_override="Priorité du plan régional.", **ACCEPT
    )
    assert accepted.decision.envelope_override == "Priorité du plan régional."


def test_accepting_a_give_back_lowers_the_quota_and_returns_the_vacant_post(
    structure, gestionnaire, granted, anct
):
    holder = match_in(MatchState.FINALISED, structure=structure)
    older, newer = vacant_post(structure), vacant_post(structure, datetime.date(2026, 6, 1))
    amendment = give_back(structure, gestionnaire, posts=2)

    accepted = services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)

    assert accepted.decision.kind == DecisionKind.WITHDRAWAL
    assert accepted.decision.posts_granted == 1
    assert selectors.quota_of_structure(structure) == 1
    # Three post rows for a quota of one: the two vacant ones are returned, never filled again.
    returned = set(Post.objects.filter(returned_on__isnull=False).values_list("pk", flat=True))
    assert returned == {older.pk, newer.pk}
    assert Post.objects.get(holder=holder).returned_on is None


def test_a_vacant_post_within_the_new_quota_stays_to_be_filled(
    structure, gestionnaire, granted, anct
):
    older, newer = vacant_post(structure), vacant_post(structure, datetime.date(2026, 6, 1))
    amendment = give_back(structure, gestionnaire, posts=2)

    services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)

    # Quota 1, two rows: the one vacant the longest is returned, the other may be filled again.
    assert Post.objects.get(pk=older.pk).returned_on is not None
    assert Post.objects.get(pk=newer.pk).returned_on is None


def test_a_give_back_occupied_meanwhile_cannot_be_accepted(structure, gestionnaire, granted, anct):
    amendment = give_back(structure, gestionnaire, posts=1)
    for _ in range(3):
        match_in(MatchState.RECRUITED, structure=structure)

    with pytest.raises(ValidationError, match="Un poste occupé ne peut pas être rendu"):
        services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)
    assert selectors.quota_of_structure(structure) == 3


def test_posts_given_back_go_to_the_departement_unmet_demand(
    structure, gestionnaire, granted, anct
):
    waiting = CandidatureFactory(
        structure=StructureFactory(departement_id="37"), posts_wished=8
    )  # 3 granted of an envelope of 10: 7 free, one short of this application
    assert selectors.unmet_demand() == {"37": 8}
    with pytest.raises(ValidationError, match="il reste 7 postes"):
        programme.decision_record(
            candidature=waiting,
            posts_granted=8,
            number="C-1",
            decided_on=ACCEPT["decided_on"],
            by=anct,
        )

    amendment = give_back(structure, gestionnaire, posts=1)
    services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)

    # The structure that gave the post back does not ask for it again…
    assert selectors.unmet_demand() == {"37": 8}
    # …and the post freed in the envelope goes to the application waiting in the département.
    decision = programme.decision_record(
        candidature=waiting, posts_granted=8, number="C-1", decided_on=ACCEPT["decided_on"], by=anct
    )
    assert decision.posts_granted == 8
    assert selectors.unmet_demand() == {}


def test_refusing_needs_a_motive_kept_on_the_request(structure, gestionnaire, granted, anct):
    amendment = add(structure, gestionnaire)

    with pytest.raises(ValidationError):
        services.amendment_request_refuse(amendment=amendment, reason="  ", by=anct)
    refused = services.amendment_request_refuse(
        amendment=amendment, reason="Enveloppe du département épuisée.", by=anct
    )

    assert refused.state == AmendmentState.REFUSED
    assert refused.refusal_motive == "Enveloppe du département épuisée."
    assert refused.decision is None
    assert selectors.quota_of_structure(structure) == 3


def test_a_prefecture_opinion_is_a_new_row_each_time(structure, gestionnaire, granted):
    from tests.factories import PrefectureAgentFactory

    prefet = PrefectureAgentFactory(departement_id="37").user
    amendment = add(structure, gestionnaire)

    services.amendment_opinion_give(
        amendment=amendment, verdict="defavorable", comment="Pas de besoin avéré.", by=prefet
    )
    services.amendment_opinion_give(
        amendment=amendment, verdict="favorable", comment="Besoin confirmé en mairie.", by=prefet
    )

    assert list(amendment.opinions.values_list("verdict", flat=True)) == [
        "favorable",
        "defavorable",
    ]
    with pytest.raises(ValidationError):
        services.amendment_opinion_give(
            amendment=amendment, verdict="favorable", comment="Court", by=prefet
        )


def test_the_amendment_changes_the_latest_validated_application(structure):
    older = DecisionFactory(candidature__structure=structure, posts_granted=1).candidature
    newer = DecisionFactory(candidature__structure=structure, posts_granted=2).candidature
    CandidatureFactory(structure=structure)  # undecided: not a ledger to amend

    assert services.target_candidature(structure) == newer != older


def test_giving_back_more_than_the_amended_application_holds_is_refused(structure, gestionnaire):
    DecisionFactory(candidature__structure=structure, posts_granted=3)
    DecisionFactory(candidature__structure=structure, posts_granted=1)

    with pytest.raises(ValidationError, match="compte 1 poste"):
        give_back(structure, gestionnaire, posts=2)


def test_a_give_back_returns_only_posts_of_the_structure(structure, gestionnaire, granted, anct):
    elsewhere = vacant_post(StructureFactory(departement_id="37"))
    vacant_post(structure)
    amendment = give_back(structure, gestionnaire, posts=3)

    services.amendment_request_accept(amendment=amendment, by=anct, **ACCEPT)

    assert Post.objects.get(pk=elsewhere.pk).returned_on is None
    assert Post.objects.filter(structure=structure, returned_on__isnull=True).count() == 0
