"""The new-mandate wizard's state in the session: read back only in the shape it was written, so a
tampered or outdated value ends on the wizard's first step with a French message, never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mandats.models import MandatDuration
from mandats.views.wizard_state import (
    WIZARD_SESSION_KEY,
    InvalidWizardState,
    MandatWizardState,
)

STEP_1 = reverse("mandats:mandat-new")
STEP_2 = reverse("mandats:mandat-new-franceconnect")
STEP_3 = reverse("mandats:mandat-new-confirm")

TAMPERED = {
    "not-a-dict": ["argent", "social"],
    "a-string": "mandat",
    "missing-duration": {"organisation_id": 1, "demarches": ["social"]},
    "unknown-key": {
        "organisation_id": 1,
        "demarches": ["social"],
        "duration": "jour",
        "admin": True,
    },
    "organisation-as-text": {"organisation_id": "1", "demarches": ["social"], "duration": "jour"},
    "organisation-as-boolean": {
        "organisation_id": True,
        "demarches": ["social"],
        "duration": "jour",
    },
    "demarches-as-text": {"organisation_id": 1, "demarches": "social", "duration": "jour"},
    "demarche-not-text": {"organisation_id": 1, "demarches": [7], "duration": "jour"},
    "usager-as-text": {
        "organisation_id": 1,
        "demarches": ["social"],
        "duration": "jour",
        "usager_id": "1 OR 1=1",
        "identified_at": 0,
    },
    "identified-at-as-text": {
        "organisation_id": 1,
        "demarches": ["social"],
        "duration": "jour",
        "usager_id": 1,
        "identified_at": "maintenant",
    },
}


@pytest.fixture
def tampered(verified_client, aidant, organisation, usager):
    def with_value(value):
        client = verified_client(aidant)
        session = client.session
        session[WIZARD_SESSION_KEY] = _with_fixture_ids(value, organisation.pk, usager.pk)
        session.save()
        return client

    return with_value


def _with_fixture_ids(value, organisation_id: int, usager_id: int):
    """The integer 1 in the table stands for the fixtures' organisation and usager, so that only
    the tampered part of each value is wrong (`True == 1`: the type is compared too)."""
    if not isinstance(value, dict):
        return value
    ids = {"organisation_id": organisation_id, "usager_id": usager_id}
    return {
        key: ids[key] if key in ids and type(item) is int and item == 1 else item
        for key, item in value.items()
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("value", TAMPERED.values(), ids=TAMPERED.keys())
@pytest.mark.parametrize(
    ("method", "url"), [("get", STEP_2), ("post", STEP_2), ("get", STEP_3), ("post", STEP_3)]
)
def test_a_tampered_state_sends_later_steps_back_to_the_first(tampered, value, method, url):
    client = tampered(value)

    response = getattr(client, method)(url, {"code": "123456"} if method == "post" else None)

    assert response.status_code == 302
    assert response.url == STEP_1
    assert "Choisissez d'abord les démarches et la durée du mandat." in messages_of(response)
    assert WIZARD_SESSION_KEY not in client.session


@pytest.mark.parametrize("value", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_state_is_dropped_on_the_first_step_with_a_message(tampered, value):
    client = tampered(value)

    response = client.get(STEP_1)

    assert response.status_code == 200
    assert "n'a pas pu être repris" in messages_of(response)[0]
    assert WIZARD_SESSION_KEY not in client.session
    assert client.post(STEP_1, {"demarches": ["social"], "duration": "jour"}).url == STEP_2


def test_the_state_reads_back_what_it_wrote(client, db):
    session = client.session
    state = MandatWizardState(
        organisation_id=3, demarches=("argent", "social"), duration=MandatDuration.ONE_MONTH
    ).identified(12, timezone.now())

    state.save(session)

    assert MandatWizardState.load(session) == state
    assert state.identified_usager_id(timezone.now()) == 12
    assert state.identified_usager_id(timezone.now() + timezone.timedelta(minutes=16)) is None
    MandatWizardState.clear(session)
    assert MandatWizardState.load(session) is None


@pytest.mark.parametrize("value", TAMPERED.values(), ids=TAMPERED.keys())
def test_load_refuses_what_save_never_writes(client, db, value):
    session = client.session
    session[WIZARD_SESSION_KEY] = value

    with pytest.raises(InvalidWizardState):
        MandatWizardState.load(session)
