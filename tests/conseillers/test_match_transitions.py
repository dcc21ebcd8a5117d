"""Who may move a mise en relation, from which state, to which: the whole matrix, then the rules
of each step (quota to mark interest, rupture motives and dates).

The truth table is written from the programme's rules (DOMAIN.md), not read from
`Match.get_abilities`. Each matrix test is one (role, state) row: it tries every action on a match
in that state, each in a savepoint rolled back afterwards, and compares what happened with the row.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from conseillers import services
from conseillers.models import (
    Contract,
    DecisionKind,
    Match,
    MatchState,
    MatchTransition,
    Post,
    Rupture,
    RuptureMotive,
)
from tests.conseillers.factories import (
    CONTRACT,
    CandidatFactory,
    CandidatureFactory,
    DecisionFactory,
    match_in,
)

pytestmark = pytest.mark.django_db

M = MatchState

ROLES = [
    "gestionnaire",  # manager of the recruiting structure
    "colleague",  # aidant of the same structure, not a manager
    "outsider",  # manager of another structure
    "anct",
    "prefecture_37",
    "prefecture_region_centre",
    "prefecture_33",
]

# What an action did, when it did not move the match to another state.
REFUSED = "refusée"  # PermissionDenied or TransitionNotAllowed, and nothing written
UNCHANGED = "inchangée"  # no error and nothing written: the interest was already that one
CLOSED = "close"  # the manager is told in French that the choice is past, nothing written

# action → role → {state the match is in: outcome}. Every pair not listed is refused.
# The structure's manager chooses (interested or not) while nothing is signed, enters the
# contract, declares a rupture; ANCT validates the recruitment and the rupture; a contract that
# reaches its term is ended by either. Marking the interest a match already has is a no-op (a
# double click); past the choice, the manager is told why rather than denied.
_CHOICE_CLOSED = {
    state: CLOSED for state in M.values if state not in (M.NEW, M.INTERESTED, M.NOT_INTERESTED)
}
ALLOWED = {
    "mark_interested": {
        "gestionnaire": {
            M.NEW: M.INTERESTED,
            M.NOT_INTERESTED: M.INTERESTED,
            M.INTERESTED: UNCHANGED,
            **_CHOICE_CLOSED,
        },
    },
    "mark_not_interested": {
        "gestionnaire": {
            M.NEW: M.NOT_INTERESTED,
            M.INTERESTED: M.NOT_INTERESTED,
            M.NOT_INTERESTED: UNCHANGED,
            **_CHOICE_CLOSED,
        },
    },
    "recruit": {"gestionnaire": {M.INTERESTED: M.RECRUITED}},
    "finalise": {"anct": {M.RECRUITED: M.FINALISED}},
    "declare_rupture": {"gestionnaire": {M.FINALISED: M.RUPTURE_DECLARED}},
    "validate_rupture": {"anct": {M.RUPTURE_DECLARED: M.RUPTURE_VALIDATED}},
    "end": {
        "gestionnaire": {M.FINALISED: M.ENDED},
        "anct": {M.FINALISED: M.ENDED},
    },
}
MARKING = {"mark_interested", "mark_not_interested"}

REASON = "Motif consigné dans le journal"
RUPTURE_DATE = datetime.date(2026, 9, 30)
LOGGED_REASON = {"finalise": REASON, "end": REASON, "declare_rupture": "Démission"}


def _act(action: str, match: Match, by) -> None:
    if action in MARKING:
        services.match_mark_interest(
            structure=match.structure,
            candidat=match.candidat,
            interested=action == "mark_interested",
            by=by,
        )
    elif action == "recruit":
        services.match_recruit(match=match, by=by, **CONTRACT)
    elif action == "declare_rupture":
        services.rupture_declare(match=match, rupture_date=RUPTURE_DATE, motive="demission", by=by)
    elif action == "validate_rupture":
        services.rupture_validate(match=match, by=by)
    elif action == "finalise":
        services.match_finalise(match=match, by=by, reason=REASON)
    else:
        services.match_end(match=match, by=by, reason=REASON)


def _snapshot(match: Match) -> tuple:
    fresh = Match.objects.get(pk=match.pk)
    return (
        fresh.state,
        fresh.state_changed_at,
        Match.objects.count(),
        MatchTransition.objects.count(),
        Contract.objects.count(),
        Rupture.objects.count(),
        list(Post.objects.values_list("pk", "holder_id", "vacant_since")),
    )


def _closed_message(state: str) -> list[str]:
    return [
        f"Cette mise en relation est à l'état « {M(state).label} » : elle ne peut plus changer."
    ]


def _outcome(action: str, match: Match, by) -> str:
    """Tries the action in a savepoint, rolled back so that the next action starts afresh."""
    before = _snapshot(match)
    savepoint = transaction.savepoint()
    try:
        _act(action, match, by)
    except (PermissionDenied, TransitionNotAllowed):
        return REFUSED if _snapshot(match) == before else "refusée, mais écrite"
    except ValidationError as error:
        if error.messages == _closed_message(before[0]) and _snapshot(match) == before:
            return CLOSED
        return f"invalide : {error.messages}"
    else:
        after = _snapshot(match)
        if after == before:
            return UNCHANGED
        logs = list(
            MatchTransition.objects.values_list(
                "transition", "from_state", "to_state", "by", "reason"
            )
        )
        expected_log = (action, before[0], after[0], by.pk, LOGGED_REASON.get(action, ""))
        return after[0] if logs == [expected_log] else f"{after[0]}, journal {logs}"
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("state", M.values)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_does_on_a_match_exactly_what_the_table_allows_in_each_state(
    request, structure, validated, role, state
):
    by = request.getfixturevalue(role)
    match = match_in(state, structure=structure)

    outcomes = {action: _outcome(action, match, by) for action in ALLOWED}

    assert outcomes == {
        action: allowed.get(role, {}).get(state, REFUSED) for action, allowed in ALLOWED.items()
    }


@pytest.fixture
def match_of(structure, validated):
    """A match of the structure (validated with one post) in the state asked for."""

    def build(state: MatchState) -> Match:
        return match_in(state, structure=structure)

    return build


# --- Marking interest ----------------------------------------------------------------------------


def test_marking_interest_in_a_new_candidate_creates_the_match(structure, validated, gestionnaire):
    candidat = CandidatFactory()

    match = services.match_mark_interest(
        structure=structure, candidat=candidat, interested=True, by=gestionnaire
    )

    assert (match.structure, match.candidat, match.state) == (structure, candidat, M.INTERESTED)
    log = MatchTransition.objects.get(match=match)
    assert (log.from_state, log.to_state, log.by) == (M.NEW, M.INTERESTED, gestionnaire)


def _no_application(structure):
    pass


def _undecided(structure):
    CandidatureFactory(structure=structure)


def _refused(structure):
    CandidatureFactory(structure=structure, state="refusee")


def _every_post_returned(structure):
    granted = CandidatureFactory(structure=structure, validated=True)
    DecisionFactory(candidature=granted, kind=DecisionKind.WITHDRAWAL, posts_granted=0)


@pytest.mark.parametrize("situation", [_no_application, _undecided, _refused, _every_post_returned])
def test_a_structure_without_a_validated_quota_cannot_mark_interest(
    structure, gestionnaire, situation
):
    situation(structure)

    with pytest.raises(ValidationError) as error:
        services.match_mark_interest(
            structure=structure, candidat=CandidatFactory(), interested=True, by=gestionnaire
        )

    assert error.value.messages == ["Votre structure n'a pas encore de postes accordés par l'ANCT."]
    assert not Match.objects.exists()


# --- Rupture -------------------------------------------------------------------------------------

# The motives of a rupture, as the programme lists them (DOMAIN.md).
DOMAIN_MOTIVES = {
    "licenciement": "Licenciement",
    "non_reconduction_cdd": "Non-reconduction de CDD",
    "demission": "Démission",
    "cdisation": "CDIsation",
    "fin_subventionnement": "Fin de subventionnement",
}


def test_the_rupture_motives_are_those_of_the_programme():
    assert dict(RuptureMotive.choices) == DOMAIN_MOTIVES


@pytest.mark.parametrize("motive", DOMAIN_MOTIVES)
def test_the_manager_declares_a_rupture_with_each_motive(match_of, gestionnaire, motive):
    match = match_of(M.FINALISED)

    services.rupture_declare(match=match, rupture_date=RUPTURE_DATE, motive=motive, by=gestionnaire)

    rupture = Rupture.objects.get(match=match)
    assert (rupture.motive, rupture.rupture_date, rupture.declared_by) == (
        motive,
        RUPTURE_DATE,
        gestionnaire,
    )
    assert MatchTransition.objects.get(match=match).reason == DOMAIN_MOTIVES[motive]


def test_a_motive_outside_the_list_is_refused(match_of, gestionnaire):
    match = match_of(M.FINALISED)
    before = _snapshot(match)

    with pytest.raises(ValidationError) as error:
        services.rupture_declare(
            match=match, rupture_date=RUPTURE_DATE, motive="convenance", by=gestionnaire
        )

    assert list(error.value.message_dict) == ["motive"]
    assert _snapshot(match) == before


def test_a_rupture_before_the_contract_start_is_refused_in_french(match_of, gestionnaire):
    match = match_of(M.FINALISED)
    before = _snapshot(match)

    with pytest.raises(ValidationError) as error:
        services.rupture_declare(
            match=match,
            rupture_date=match.contract.start_date - datetime.timedelta(days=1),
            motive="demission",
            by=gestionnaire,
        )

    assert error.value.message_dict["rupture_date"] == [
        "La rupture ne peut pas précéder le début du contrat."
    ]
    assert _snapshot(match) == before


def test_a_rupture_on_the_first_day_of_the_contract_is_accepted(match_of, gestionnaire):
    match = match_of(M.FINALISED)

    rupture = services.rupture_declare(
        match=match, rupture_date=match.contract.start_date, motive="demission", by=gestionnaire
    )

    assert rupture.rupture_date == match.contract.start_date


def test_a_cdi_may_be_broken_at_any_date_after_its_start(structure, validated, gestionnaire):
    match = match_in(
        M.FINALISED, structure=structure, contract__type="cdi", contract__end_date=None
    )

    rupture = services.rupture_declare(
        match=match, rupture_date=datetime.date(2031, 6, 30), motive="cdisation", by=gestionnaire
    )

    assert rupture.rupture_date == datetime.date(2031, 6, 30)


def test_the_structure_that_declared_a_rupture_cannot_validate_it(match_of, gestionnaire, anct):
    match = match_of(M.FINALISED)
    services.rupture_declare(
        match=match, rupture_date=RUPTURE_DATE, motive="licenciement", by=gestionnaire
    )

    with pytest.raises(PermissionDenied):
        services.rupture_validate(match=match, by=gestionnaire)
    match.refresh_from_db()
    assert match.state == M.RUPTURE_DECLARED

    services.rupture_validate(match=match, by=anct)
    match.refresh_from_db()
    assert match.state == M.RUPTURE_VALIDATED


def test_ending_a_contract_frees_its_post_from_today(match_of, anct):
    match = match_of(M.FINALISED)
    post = Post.objects.get(holder=match)

    services.match_end(match=match, by=anct)

    post.refresh_from_db()
    assert (post.holder, post.vacant_since) == (None, timezone.localdate())
    assert post.holdings.get().ended_on == timezone.localdate()
