"""Who may move a structure's application, from which state, to which: the whole matrix.

The truth table below is written from the programme's rules (DOMAIN.md), not read from
`Candidature.get_abilities`: the tests hold the code to the rules, not to itself. Each test is one
(role, state) row of the table: it tries every action on an application in that state, each in a
savepoint rolled back afterwards, and compares what happened with the row.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
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

# What an action did, when it did not move the application to another state.
REFUSED = "refusée"  # PermissionDenied or TransitionNotAllowed, and nothing written
AMENDED = "avenant"  # a new decision in the ledger, no change of state
OPINION = "avis rendu"  # a new opinion row, no change of state

# action → role → {state the application is in: outcome}. Every pair not listed is refused.
# Only ANCT examines, refuses, cancels, confirms a duplicate and decides, and only while the
# application is undecided (créée or en examen complémentaire); on a validated one, its decision
# is an amendment. The structure's manager (or ANCT on its behalf) abandons an undecided
# application. The préfecture of the territory (département or région) gives its opinion while
# the application is undecided; an opinion is not a change of state but a row of its own.
ALLOWED = {
    "examine": {"anct": {CREATED: EXAMINATION}},
    "refuse": {"anct": {CREATED: S.REFUSED, EXAMINATION: S.REFUSED}},
    "cancel": {"anct": {CREATED: S.CANCELLED, EXAMINATION: S.CANCELLED}},
    "mark_duplicate": {"anct": {CREATED: S.DUPLICATE, EXAMINATION: S.DUPLICATE}},
    "abandon": {
        "gestionnaire": {CREATED: S.ABANDONED, EXAMINATION: S.ABANDONED},
        "anct": {CREATED: S.ABANDONED, EXAMINATION: S.ABANDONED},
    },
    # ANCT's decision (decision_record): the first positive one validates the application.
    "validate": {"anct": {CREATED: VALIDATED, EXAMINATION: VALIDATED, VALIDATED: AMENDED}},
    "give_opinion": {
        "prefecture_37": {CREATED: OPINION, EXAMINATION: OPINION},
        "prefecture_region_centre": {CREATED: OPINION, EXAMINATION: OPINION},
    },
}

REASON = "Motif consigné dans le journal"
DECISION = {
    "posts_granted": 2,
    "number": "COSELEC-2026-07",
    "decided_on": datetime.date(2026, 3, 12),
    "motive": "Avenant : un poste de plus",
}
LOGGED_REASON = {"validate": f"Décision {DECISION['number']}"}

# The transitions without a ledger row, each its own service.
TRANSITION_SERVICES = {
    "examine": services.candidature_examine,
    "refuse": services.candidature_refuse,
    "cancel": services.candidature_cancel,
    "mark_duplicate": services.candidature_mark_duplicate,
    "abandon": services.candidature_abandon,
}


def _act(action: str, candidature: Candidature, by) -> None:
    if action == "validate":
        services.decision_record(candidature=candidature, by=by, **DECISION)
    elif action == "give_opinion":
        services.opinion_give(
            candidature=candidature, verdict="favorable", comment="Territoire prioritaire.", by=by
        )
    else:
        TRANSITION_SERVICES[action](candidature=candidature, by=by, reason=REASON)


def _snapshot(candidature: Candidature) -> tuple:
    fresh = Candidature.objects.get(pk=candidature.pk)
    return (
        fresh.state,
        fresh.state_changed_at,
        CandidatureTransition.objects.count(),
        Decision.objects.count(),
        PrefectureOpinion.objects.count(),
    )


def _what_happened(action: str, candidature: Candidature, by, before: tuple) -> str:
    """The outcome of an action that did not raise, or a description of what went wrong."""
    after = _snapshot(candidature)
    logs = list(
        CandidatureTransition.objects.values_list(
            "transition", "from_state", "to_state", "by", "reason"
        )
    )
    state = after[0]
    if state == before[0]:
        if action == "validate" and after[2:] == (before[2], before[3] + 1, before[4]):
            kind = Candidature.objects.get(pk=candidature.pk).decisions.first().kind
            return AMENDED if kind == DecisionKind.ADDITION else f"décision {kind}"
        if action == "give_opinion" and after[2:] == (before[2], before[3], before[4] + 1):
            opinion = PrefectureOpinion.objects.get()
            return OPINION if (opinion.author, opinion.verdict) == (by, "favorable") else "avis ?"
        return f"rien de fait : {after}"
    expected_log = (action, before[0], state, by.pk, LOGGED_REASON.get(action, REASON))
    return state if logs == [expected_log] else f"{state}, journal {logs}"


def _outcome(action: str, candidature: Candidature, by) -> str:
    """Tries the action in a savepoint, rolled back so that the next action starts afresh."""
    before = _snapshot(candidature)
    savepoint = transaction.savepoint()
    try:
        _act(action, candidature, by)
    except (PermissionDenied, TransitionNotAllowed):
        return REFUSED if _snapshot(candidature) == before else "refusée, mais écrite"
    else:
        return _what_happened(action, candidature, by, before)
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("state", S.values)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_does_on_an_application_exactly_what_the_table_allows_in_each_state(
    request, structure, envelope_37, role, state
):
    by = request.getfixturevalue(role)
    candidature = candidature_in(state, structure=structure)

    outcomes = {action: _outcome(action, candidature, by) for action in ALLOWED}

    assert outcomes == {
        action: allowed.get(role, {}).get(state, REFUSED) for action, allowed in ALLOWED.items()
    }
