"""Role × state: each transition of a request, by each persona, from each state. Exactly the
personas the request's abilities name may fire it, and only while it waits."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from conseillers.amendments import services
from conseillers.amendments.models import (
    AmendmentOpinion,
    AmendmentRequest,
    AmendmentState,
    AmendmentTransition,
)
from tests.conseillers.amendments.conftest import ACCEPT
from tests.conseillers.amendments.factories import AmendmentRequestFactory
from tests.conseillers.factories import DecisionFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "gestionnaire",
    "colleague",
    "outsider",
    "anct",
    "prefecture_37",
    "prefecture_region_centre",
    "prefecture_33",
]
PREFECTURES = {"prefecture_37", "prefecture_region_centre"}

TRANSITIONS = {
    "give_opinion": (
        PREFECTURES,
        lambda a, by: services.amendment_opinion_give(
            amendment=a, verdict="favorable", comment="Avis motivé du préfet.", by=by
        ),
    ),
    "accept": (
        {"anct"},
        lambda a, by: services.amendment_request_accept(amendment=a, by=by, **ACCEPT),
    ),
    "refuse": (
        {"anct"},
        lambda a, by: services.amendment_request_refuse(amendment=a, reason="Non.", by=by),
    ),
    "cancel": (
        {"gestionnaire"},
        lambda a, by: services.amendment_request_cancel(amendment=a, by=by),
    ),
}
TARGET = {
    "accept": AmendmentState.ACCEPTED,
    "refuse": AmendmentState.REFUSED,
    "cancel": AmendmentState.CANCELLED,
}


def request_in(state: AmendmentState, structure, granted) -> AmendmentRequest:
    decision = DecisionFactory(candidature=granted) if state == AmendmentState.ACCEPTED else None
    return AmendmentRequestFactory(structure=structure, state=state, decision=decision)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", AmendmentState.values)
@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_by_each_role_from_each_state(
    request, structure, granted, name, state, persona
):
    allowed, fire = TRANSITIONS[name]
    user = request.getfixturevalue(persona)
    amendment = request_in(state, structure, granted)
    may = state == AmendmentState.PENDING and persona in allowed

    assert amendment.get_abilities(user)[name] is may
    if not may:
        with pytest.raises(PermissionDenied):
            fire(amendment, user)
        assert AmendmentRequest.objects.get(pk=amendment.pk).state == state
        return
    fire(amendment, user)
    amendment.refresh_from_db()
    assert amendment.state == TARGET.get(name, AmendmentState.PENDING)
    if name in TARGET:
        log = amendment.transitions.get()
        assert (log.transition, log.from_state, log.to_state, log.by) == (
            name,
            state,
            TARGET[name],
            user,
        )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_a_request(request, structure, granted, persona):
    user = request.getfixturevalue(persona)
    amendment = request_in(AmendmentState.PENDING, structure, granted)
    sees = persona in {"gestionnaire", "anct", *PREFECTURES}

    assert amendment.get_abilities(user)["view"] is sees
    assert AmendmentRequest.objects.visible_to(user).filter(pk=amendment.pk).exists() is sees


def test_the_transition_log_refuses_update_and_delete(structure, granted, gestionnaire):
    amendment = request_in(AmendmentState.PENDING, structure, granted)
    services.amendment_request_cancel(amendment=amendment, by=gestionnaire)
    logs = AmendmentTransition.objects.filter(amendment=amendment)

    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        logs.update(reason="réécrit")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        logs.delete()
    assert logs.get().reason == ""


def test_the_opinions_refuse_update_and_delete(structure, granted, prefecture_37):
    amendment = request_in(AmendmentState.PENDING, structure, granted)
    services.amendment_opinion_give(
        amendment=amendment, verdict="favorable", comment="Avis motivé du préfet.", by=prefecture_37
    )
    opinions = AmendmentOpinion.objects.filter(amendment=amendment)

    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        opinions.update(verdict="defavorable")
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        opinions.delete()
    assert opinions.get().verdict == "favorable"
