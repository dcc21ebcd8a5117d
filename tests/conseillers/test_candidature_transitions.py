"""Who may move a structure's application, from which state, to which: the whole matrix.

The truth tables below are written from the programme's rules (DOMAIN.md), not read from
`Candidature.get_abilities`: the tests hold the code to the rules, not to itself.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django_fsm import TransitionNotAllowed

from conseillers import services
from conseillers.models import (
    Candidature,
    CandidatureState,
    CandidatureTransition,
    Decision,
    DecisionKind,
    PrefectureOpinion,
)
from tests.conseillers.factories import candidature_in

pytestmark = pytest.mark.django_db

S = CandidatureState
CREATED, EXAMINATION, VALIDATED = S.CREATED, S.EXAMINATION, S.VALIDATED

ROLES = [
    "gestionnaire",  # manager of the applying structure (Indre-et-Loire)
    "colleague",  # aidant of the same structure, not a manager
    "outsider",  # manager of another structure (Gironde)
    "anct",
    "prefecture_37",  # préfecture of the structure's département
    "prefecture_region_centre",  # préfecture of its région (Centre-Val de Loire)
    "prefecture_33",  # préfecture of another département
]

# action → role → {state the application is in: state it moves to}. Every pair not listed is
# refused. Only ANCT examines, refuses, cancels, confirms a duplicate and decides, and only while
# the application is undecided (créée or en examen complémentaire); the structure's manager (or
# ANCT on its behalf) abandons an undecided application.
ALLOWED = {
    "examine": {"anct": {CREATED: EXAMINATION}},
    "refuse": {"anct": {CREATED: S.REFUSED, EXAMINATION: S.REFUSED}},
    "cancel": {"anct": {CREATED: S.CANCELLED, EXAMINATION: S.CANCELLED}},
    "mark_duplicate": {"anct": {CREATED: S.DUPLICATE, EXAMINATION: S.DUPLICATE}},
    "abandon": {
        "gestionnaire": {CREATED: S.ABANDONED, EXAMINATION: S.ABANDONED},
        "anct": {CREATED: S.ABANDONED, EXAMINATION: S.ABANDONED},
    },
    # The first positive COSELEC decision (decision_record) validates the application.
    "validate": {"anct": {CREATED: VALIDATED, EXAMINATION: VALIDATED}},
}
# On an application already validated, ANCT's decision is an amendment: a new ledger row, no
# change of state (covered in detail by test_decisions.py).
AMENDMENT = {("validate", "anct", VALIDATED)}
# The préfecture of the territory (département or région) gives its opinion on an undecided
# application. An opinion is not a change of state: it is an append-only row of its own.
OPINION = {
    "prefecture_37": {CREATED, EXAMINATION},
    "prefecture_region_centre": {CREATED, EXAMINATION},
}

REASON = "Motif consigné dans le journal"
DECISION = {
    "posts_granted": 2,
    "number": "COSELEC-2026-07",
    "decided_on": datetime.date(2026, 3, 12),
    "motive": "Avenant : un poste de plus",
}


def _cases(allowed: bool) -> list:
    return [
        pytest.param(action, role, state, id=f"{action}-{role}-{state}")
        for action in ALLOWED
        for role in ROLES
        for state in S.values
        if (state in ALLOWED[action].get(role, {})) is allowed
        and (action, role, state) not in AMENDMENT
    ]


def _act(action: str, candidature: Candidature, by) -> None:
    if action == "validate":
        services.decision_record(candidature=candidature, by=by, **DECISION)
    else:
        services.candidature_act(candidature=candidature, action=action, by=by, reason=REASON)


def _snapshot(candidature: Candidature) -> tuple:
    fresh = Candidature.objects.get(pk=candidature.pk)
    return (
        fresh.state,
        fresh.state_changed_at,
        CandidatureTransition.objects.count(),
        Decision.objects.count(),
        PrefectureOpinion.objects.count(),
    )


@pytest.mark.parametrize(("action", "role", "state"), _cases(allowed=True))
def test_an_allowed_role_moves_the_application_and_logs_who_from_to_and_why(
    request, structure, envelope_37, action, role, state
):
    by = request.getfixturevalue(role)
    candidature = candidature_in(state, structure=structure)

    _act(action, candidature, by)

    candidature.refresh_from_db()
    target = ALLOWED[action][role][state]
    assert candidature.state == target
    log = CandidatureTransition.objects.get(candidature=candidature)
    reason = f"Décision {DECISION['number']}" if action == "validate" else REASON
    assert (log.transition, log.from_state, log.to_state, log.by, log.reason) == (
        action,
        state,
        target,
        by,
        reason,
    )


@pytest.mark.parametrize(("action", "role", "state"), _cases(allowed=False))
def test_a_role_or_state_not_allowed_is_refused_and_changes_nothing(
    request, structure, envelope_37, action, role, state
):
    by = request.getfixturevalue(role)
    candidature = candidature_in(state, structure=structure)
    before = _snapshot(candidature)

    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        _act(action, candidature, by)

    assert _snapshot(candidature) == before


def test_anct_deciding_on_a_validated_application_amends_the_ledger_without_a_transition(
    structure, envelope_37, anct
):
    candidature = candidature_in(VALIDATED, structure=structure)

    _act("validate", candidature, anct)

    candidature.refresh_from_db()
    assert candidature.state == VALIDATED
    assert not CandidatureTransition.objects.exists()
    assert candidature.decisions.first().kind == DecisionKind.ADDITION


@pytest.mark.parametrize(
    ("role", "state"),
    [
        pytest.param(role, state, id=f"{role}-{state}")
        for role in ROLES
        for state in S.values
        if state in OPINION.get(role, set())
    ],
)
def test_the_prefecture_of_the_territory_gives_its_opinion_on_an_undecided_application(
    request, structure, role, state
):
    by = request.getfixturevalue(role)
    candidature = candidature_in(state, structure=structure)

    opinion = services.opinion_give(
        candidature=candidature, verdict="favorable", comment="Territoire prioritaire.", by=by
    )

    assert (opinion.candidature, opinion.author, opinion.verdict) == (
        candidature,
        by,
        "favorable",
    )
    candidature.refresh_from_db()
    assert candidature.state == state
    assert not CandidatureTransition.objects.exists()


@pytest.mark.parametrize(
    ("role", "state"),
    [
        pytest.param(role, state, id=f"{role}-{state}")
        for role in ROLES
        for state in S.values
        if state not in OPINION.get(role, set())
    ],
)
def test_an_opinion_outside_the_territory_or_once_decided_is_refused_and_changes_nothing(
    request, structure, role, state
):
    by = request.getfixturevalue(role)
    candidature = candidature_in(state, structure=structure)
    before = _snapshot(candidature)

    with pytest.raises(PermissionDenied):
        services.opinion_give(
            candidature=candidature, verdict="defavorable", comment="Hors territoire.", by=by
        )

    assert _snapshot(candidature) == before
