"""Who may fire each transition of a convention's renewal, in every state: the abilities of the
model (read by the pages and the API) and the services, which refuse the same cells."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.models import ConventionRenewal, RenewalState
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db

PERSONAS = ["gestionnaire", "colleague", "outsider", "prefecture_37", "anct"]
TRANSITIONS = ["initiate", "decline", "validate", "refuse"]

# (state, transition) → the personas allowed, while the window is open.
ALLOWED = {
    (RenewalState.UNDECIDED, "initiate"): {"gestionnaire"},
    (RenewalState.UNDECIDED, "decline"): {"gestionnaire"},
    (RenewalState.NOT_INTERESTED, "initiate"): {"gestionnaire"},
    (RenewalState.INITIATED, "decline"): {"gestionnaire"},
    (RenewalState.INITIATED, "validate"): {"anct"},
    (RenewalState.INITIATED, "refuse"): {"anct"},
    (RenewalState.REFUSED, "initiate"): {"gestionnaire"},
}


@pytest.fixture
def convention(career: Career, today):
    match = career.recruit(months_ago(20, today))
    return career.subvention(match).convention


def in_state(convention, state: str) -> ConventionRenewal:
    renewal = ConventionRenewal.objects.create(
        convention=convention, structure_id=convention.structure_id, state=state
    )
    return ConventionRenewal.objects.get(pk=renewal.pk)


@pytest.mark.parametrize("state", RenewalState.values)
@pytest.mark.parametrize("transition", TRANSITIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_abilities_table(request, convention, state, transition, persona):
    user = request.getfixturevalue(persona)
    renewal = in_state(convention, state)
    expected = persona in ALLOWED.get((state, transition), set())
    assert renewal.get_abilities(user)[transition] is expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_renewal(request, convention, persona):
    visible = {"gestionnaire", "prefecture_37", "anct"}
    user = request.getfixturevalue(persona)
    renewal = ConventionRenewal.of(convention)
    assert renewal.get_abilities(user)["view"] is (persona in visible)
    assert ConventionRenewal.objects.visible_to(user).exists() is False  # nothing saved yet
    saved = in_state(convention, RenewalState.UNDECIDED)
    assert (saved in ConventionRenewal.objects.visible_to(user)) is (persona in visible)


def test_outside_the_window_nobody_answers_in_any_state(career, gestionnaire, today):
    convention = career.subvention(career.recruit(months_ago(3, today))).convention
    for state in RenewalState.values:
        ConventionRenewal.objects.filter(convention=convention).delete()
        abilities = in_state(convention, state).get_abilities(gestionnaire)
        assert not abilities["initiate"] and not abilities["decline"]


def _call(transition: str, renewal: ConventionRenewal, user, post_ids: list[int]):
    if transition == "initiate":
        return renewals.renewal_initiate(convention=renewal.convention, post_ids=post_ids, by=user)
    if transition == "decline":
        return renewals.renewal_decline(convention=renewal.convention, by=user)
    if transition == "validate":
        return renewals.renewal_validate(renewal=renewal, by=user)
    return renewals.renewal_refuse(renewal=renewal, reason="Motif du refus.", by=user)


# The allowed cells are exercised through the services by test_renewal.py.
REFUSED_CELLS = [
    (state, transition, persona)
    for state in RenewalState.values
    for transition in TRANSITIONS
    for persona in PERSONAS
    if persona not in ALLOWED.get((state, transition), set())
]


@pytest.mark.parametrize(("state", "transition", "persona"), REFUSED_CELLS)
def test_the_services_refuse_every_cell_the_table_refuses(
    request, convention, state, transition, persona
):
    user = request.getfixturevalue(persona)
    renewal = in_state(convention, state)
    post_ids = list(convention.subventions.values_list("post_id", flat=True))
    with pytest.raises(PermissionDenied):
        _call(transition, renewal, user, post_ids)
    assert ConventionRenewal.objects.get(pk=renewal.pk).state == state
