"""ANCT's decisions (COSELEC) as a ledger: initial grant, amendments, the département's envelope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers import selectors, services
from conseillers.models import (
    Candidature,
    CandidatureState,
    CandidatureTransition,
    Decision,
    DecisionKind,
    Envelope,
)
from tests.conseillers.factories import CandidatureFactory, DecisionFactory, EnvelopeFactory
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

DECIDED_ON = datetime.date(2026, 3, 12)


def decide(candidature: Candidature, posts: int, by, **extra) -> Decision:
    return services.decision_record(
        candidature=candidature,
        posts_granted=posts,
        number=extra.pop("number", "COSELEC-2026-03"),
        decided_on=extra.pop("decided_on", DECIDED_ON),
        by=by,
        **extra,
    )


@pytest.fixture
def candidature(structure):
    return CandidatureFactory(structure=structure, state=CandidatureState.EXAMINATION)


@pytest.fixture
def granted_two(candidature, anct, envelope_37):
    """The application, validated by ANCT with two posts."""
    decide(candidature, 2, anct, number="COSELEC-2026-01")
    return candidature


def grant_elsewhere_in_37(posts: int) -> Candidature:
    """Another structure of Indre-et-Loire, validated with `posts` posts."""
    return DecisionFactory(
        candidature__structure=StructureFactory(departement_id="37"), posts_granted=posts
    ).candidature


def test_an_initial_decision_validates_the_application_and_is_logged(
    candidature, anct, envelope_37
):
    decision = decide(
        candidature, 2, anct, number="COSELEC-2026-03", priority=True, observations="QPV"
    )

    decision.refresh_from_db()
    assert (decision.kind, decision.posts_granted, decision.number, decision.decided_on) == (
        DecisionKind.INITIAL,
        2,
        "COSELEC-2026-03",
        DECIDED_ON,
    )
    assert (decision.priority, decision.observations, decision.author) == (True, "QPV", anct)
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.VALIDATED
    log = CandidatureTransition.objects.get(candidature=candidature)
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        "validate",
        "examen_complementaire",
        "validee",
        anct,
    )
    assert selectors.quota_in_force(candidature) == 2


def test_an_initial_decision_of_no_post_is_refused_in_french(candidature, anct, envelope_37):
    with pytest.raises(ValidationError) as error:
        decide(candidature, 0, anct)

    assert error.value.message_dict["posts_granted"] == [
        "Une décision favorable accorde au moins un poste ; pour refuser, utilisez le refus."
    ]
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("posts", "kind"), [(3, DecisionKind.ADDITION), (1, DecisionKind.WITHDRAWAL)]
)
def test_an_amendment_adds_or_returns_posts_as_a_new_ledger_row(granted_two, anct, posts, kind):
    initial = granted_two.decisions.get()

    amendment = decide(granted_two, posts, anct, number="AV-1", motive="Besoin réévalué")

    assert (amendment.kind, amendment.posts_granted, amendment.motive) == (
        kind,
        posts,
        "Besoin réévalué",
    )
    assert list(granted_two.decisions.all()) == [amendment, initial]
    initial.refresh_from_db()
    assert (initial.kind, initial.posts_granted) == (DecisionKind.INITIAL, 2)
    assert selectors.quota_in_force(granted_two) == posts
    # An amendment is not a change of state: the only transition is the initial validation.
    assert CandidatureTransition.objects.filter(candidature=granted_two).count() == 1


@pytest.mark.parametrize("motive", ["", "   "])
def test_an_amendment_without_a_motive_is_refused_in_french(granted_two, anct, motive):
    with pytest.raises(ValidationError) as error:
        decide(granted_two, 3, anct, number="AV-1", motive=motive)

    assert error.value.message_dict["motive"] == ["Un avenant doit indiquer son motif."]
    assert granted_two.decisions.count() == 1


def test_an_amendment_that_keeps_the_quota_is_refused_in_french(granted_two, anct):
    with pytest.raises(ValidationError) as error:
        decide(granted_two, 2, anct, number="AV-1", motive="Rien ne change")

    assert error.value.message_dict["posts_granted"] == [
        "Le quota en vigueur est déjà de 2 postes : un avenant ajoute ou retire des postes."
    ]
    assert granted_two.decisions.count() == 1


def test_the_quota_in_force_is_the_last_decision(granted_two, anct):
    decide(granted_two, 5, anct, number="AV-1", motive="Extension")
    decide(granted_two, 3, anct, number="AV-2", motive="Deux postes rendus")

    assert selectors.quota_in_force(granted_two) == 3
    assert [d.posts_granted for d in granted_two.decisions.all()] == [3, 5, 2]


def test_returning_every_post_brings_the_quota_in_force_to_zero(granted_two, anct, structure):
    decide(granted_two, 0, anct, number="AV-1", motive="La structure renonce au dispositif")

    assert selectors.quota_in_force(granted_two) == 0
    assert selectors.quota_of_structure(structure) == 0
    assert selectors.posts_granted_in("37") == 0


def test_granting_beyond_the_envelope_is_refused_with_the_figures(candidature, anct):
    EnvelopeFactory(departement_id="37", posts=5)
    grant_elsewhere_in_37(4)

    with pytest.raises(ValidationError) as error:
        decide(candidature, 2, anct)

    assert error.value.message_dict["posts_granted"] == [
        "L'enveloppe du département est de 5 postes, dont 4 déjà accordés : il reste "
        "1 poste. Pour accorder 2 postes, justifiez le dépassement de l'enveloppe."
    ]
    assert not candidature.decisions.exists()
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.EXAMINATION


def test_granting_exactly_the_room_left_in_the_envelope_is_accepted(candidature, anct):
    EnvelopeFactory(departement_id="37", posts=5)
    grant_elsewhere_in_37(4)

    decision = decide(candidature, 1, anct)

    assert decision.envelope_override == ""


def test_an_addition_counts_the_new_quota_against_the_room_left(granted_two, anct):
    EnvelopeFactory(departement_id="37", posts=6)
    grant_elsewhere_in_37(3)

    with pytest.raises(ValidationError, match=r"dont 3 déjà accordés : il reste 3 postes"):
        decide(granted_two, 4, anct, number="AV-1", motive="Extension")
    decide(granted_two, 3, anct, number="AV-1", motive="Extension")

    assert selectors.quota_in_force(granted_two) == 3


def test_a_departement_without_an_envelope_has_no_room(candidature, anct):
    EnvelopeFactory(departement_id="33", posts=50)

    with pytest.raises(ValidationError, match=r"L'enveloppe du département est de 0 poste,"):
        decide(candidature, 1, anct)


def test_an_envelope_override_grants_beyond_the_envelope_and_records_the_justification(
    candidature, anct
):
    EnvelopeFactory(departement_id="37", posts=5)
    grant_elsewhere_in_37(4)

    decision = decide(
        candidature, 3, anct, envelope_override="Priorité nationale : France Services en ZRR"
    )

    decision.refresh_from_db()
    assert decision.envelope_override == "Priorité nationale : France Services en ZRR"
    assert selectors.posts_granted_in("37") == 7


def test_a_blank_envelope_override_is_no_justification(candidature, anct):
    EnvelopeFactory(departement_id="37", posts=1)

    with pytest.raises(ValidationError, match="justifiez le dépassement"):
        decide(candidature, 2, anct, envelope_override="   ")


def test_a_withdrawal_never_needs_room_in_the_envelope(granted_two, anct):
    # ANCT lowered the envelope below what is already granted: returning posts must still pass.
    EnvelopeFactory(departement_id="37", posts=0)

    decision = decide(granted_two, 1, anct, number="AV-1", motive="Un poste rendu")

    assert (decision.kind, decision.envelope_override) == (DecisionKind.WITHDRAWAL, "")
    assert selectors.quota_in_force(granted_two) == 1


def test_the_envelope_in_force_is_the_latest_row_and_older_rows_are_kept(candidature, anct):
    EnvelopeFactory(departement_id="37", posts=10)
    EnvelopeFactory(departement_id="37", posts=2)

    with pytest.raises(ValidationError, match=r"est de 2 postes,"):
        decide(candidature, 3, anct)
    EnvelopeFactory(departement_id="37", posts=3)
    decide(candidature, 3, anct)

    assert selectors.envelopes_in_force()["37"] == 3
    assert sorted(Envelope.objects.filter(departement_id="37").values_list("posts", flat=True)) == [
        2,
        3,
        10,
    ]


@pytest.mark.parametrize(
    "role",
    [
        "gestionnaire",
        "colleague",
        "outsider",
        "prefecture_37",
        "prefecture_region_centre",
        "prefecture_33",
    ],
)
def test_only_anct_decides_even_with_an_envelope_override(request, granted_two, role):
    with pytest.raises(PermissionDenied):
        decide(
            granted_two,
            4,
            request.getfixturevalue(role),
            number="AV-1",
            motive="Extension",
            envelope_override="Justification",
        )

    assert granted_two.decisions.count() == 1
    assert selectors.quota_in_force(granted_two) == 2
