"""Who may move a mise en relation, from which state, to which: the whole matrix, then the rules
of each step (quota to mark interest, rupture motives and dates).

The truth tables are written from the programme's rules (DOMAIN.md), not read from
`Match.get_abilities`.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
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

# action → role → {state the match is in: state it moves to}. Every pair not listed is refused.
# The structure's manager chooses (interested or not, while nothing is signed), enters the
# contract, declares a rupture; ANCT validates the recruitment and the rupture; a contract that
# reaches its term is ended by either.
ALLOWED = {
    "mark_interested": {
        "gestionnaire": {M.NEW: M.INTERESTED, M.NOT_INTERESTED: M.INTERESTED},
    },
    "mark_not_interested": {
        "gestionnaire": {M.NEW: M.NOT_INTERESTED, M.INTERESTED: M.NOT_INTERESTED},
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
# Marking the interest a match already has changes nothing and is not an error (a double click).
ALREADY_THERE = {
    ("mark_interested", "gestionnaire", M.INTERESTED),
    ("mark_not_interested", "gestionnaire", M.NOT_INTERESTED),
}
# Once past the choice, the manager is told why in French rather than denied.
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
    else:
        services.match_act(match=match, action=action, by=by, reason=REASON)


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


def _cases(kind: str) -> list:
    def kind_of(action, role, state):
        if state in ALLOWED[action].get(role, {}):
            return "allowed"
        if (action, role, state) in ALREADY_THERE:
            return "already_there"
        if action in MARKING and role == "gestionnaire":
            return "closed"
        return "denied"

    return [
        pytest.param(action, role, state, id=f"{action}-{role}-{state}")
        for action in ALLOWED
        for role in ROLES
        for state in M.values
        if kind_of(action, role, state) == kind
    ]


@pytest.fixture
def match_of(structure, validated):
    """A match of the structure (validated with one post) in the state asked for."""

    def build(state: MatchState) -> Match:
        return match_in(state, structure=structure)

    return build


@pytest.mark.parametrize(("action", "role", "state"), _cases("allowed"))
def test_an_allowed_role_moves_the_match_and_logs_who_from_to_and_why(
    request, match_of, action, role, state
):
    by = request.getfixturevalue(role)
    match = match_of(state)

    _act(action, match, by)

    match.refresh_from_db()
    target = ALLOWED[action][role][state]
    assert match.state == target
    log = MatchTransition.objects.get(match=match)
    assert (log.transition, log.from_state, log.to_state, log.by, log.reason) == (
        action,
        state,
        target,
        by,
        LOGGED_REASON.get(action, ""),
    )


@pytest.mark.parametrize(("action", "role", "state"), _cases("denied"))
def test_a_role_or_state_not_allowed_is_refused_and_changes_nothing(
    request, match_of, action, role, state
):
    by = request.getfixturevalue(role)
    match = match_of(state)
    before = _snapshot(match)

    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        _act(action, match, by)

    assert _snapshot(match) == before


@pytest.mark.parametrize(("action", "role", "state"), _cases("closed"))
def test_the_manager_cannot_change_the_interest_once_past_the_choice(
    request, match_of, action, role, state
):
    match = match_of(state)
    before = _snapshot(match)

    with pytest.raises(ValidationError) as error:
        _act(action, match, request.getfixturevalue(role))

    assert error.value.messages == [
        f"Cette mise en relation est à l'état « {M(state).label} » : elle ne peut plus changer."
    ]
    assert _snapshot(match) == before


@pytest.mark.parametrize(("action", "role", "state"), _cases("already_there"))
def test_marking_the_interest_a_match_already_has_changes_nothing(
    request, match_of, action, role, state
):
    match = match_of(state)
    before = _snapshot(match)

    _act(action, match, request.getfixturevalue(role))

    assert _snapshot(match) == before


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

    services.match_act(match=match, action="end", by=anct)

    post.refresh_from_db()
    assert (post.holder, post.vacant_since) == (None, timezone.localdate())
    assert post.holdings.get().ended_on == timezone.localdate()
