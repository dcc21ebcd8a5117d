"""What the callback checks before asking FranceConnect anything: the state's kind, and, for a
new mandate, that the aidant who started the login is the one finishing it. The provider is
unreachable here: any attempt to contact it would end in a 502, not in these refusals."""

import pytest
from django.urls import reverse

from mandats.franceconnect import CLIENT_NAME, SessionStates
from mandats.models import JournalEntry, Usager
from tests.factories import MembershipFactory

CALLBACK = reverse("mandats:franceconnect-callback")
LOGOUT_CALLBACK = reverse("mandats:franceconnect-logout-callback")
STATE = "s" * 43


@pytest.fixture(autouse=True)
def unreachable_provider(settings):
    settings.FRANCECONNECT_DISCOVERY_URL = (
        "https://fc.invalid/api/v2/.well-known/openid-configuration"
    )
    settings.FRANCECONNECT_CLIENT_SECRET = "un-secret-de-plus-de-trente-deux-caracteres"


def pending(client, data: dict):
    session = client.session
    SessionStates(CLIENT_NAME).set_state_data(session, STATE, data)
    session.save()
    return client


def signing_login(aidant_id: int, organisation_id: int) -> dict:
    return {
        "kind": "login",
        "redirect_uri": "http://testserver" + CALLBACK,
        "nonce": "n" * 43,
        "purpose": "mandat",
        "context": {"aidant_id": aidant_id, "organisation_id": organisation_id},
    }


def test_a_login_started_by_another_aidant_is_refused(verified_client, aidant, organisation):
    colleague = MembershipFactory(structure=organisation.structure, role="aidant").user
    client = pending(verified_client(colleague), signing_login(aidant.pk, organisation.pk))

    response = client.get(CALLBACK, {"code": "c" * 43, "state": STATE})

    assert response.status_code == 403
    assert "lancée depuis un autre compte d'aidant" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert not Usager.objects.exists() and not JournalEntry.objects.exists()


def test_a_signing_login_finished_by_nobody_logged_in_is_refused(client, aidant, organisation):
    pending(client, signing_login(aidant.pk, organisation.pk))

    response = client.get(CALLBACK, {"code": "c" * 43, "state": STATE})

    assert response.status_code == 403
    assert not Usager.objects.exists()


def test_a_logout_state_does_not_open_a_login(client, db):
    pending(client, {"post_logout_redirect_uri": "http://testserver" + LOGOUT_CALLBACK})

    response = client.get(CALLBACK, {"code": "c" * 43, "state": STATE})

    assert response.status_code == 400


def test_a_login_state_does_not_close_a_logout(client, aidant, organisation):
    pending(client, signing_login(aidant.pk, organisation.pk))

    assert client.get(LOGOUT_CALLBACK, {"state": STATE}).status_code == 400
