"""Wizard step 2 over real HTTP: the usager logs in on the mock FranceConnect in front of the
aidant, and comes back identified, with the `sub` kept only as a keyed hash."""

import pytest

from franceconnect_mock.identities import get_identity
from franceconnect_mock.services import pairwise_sub
from mandats.models import JournalAction, JournalEntry, Usager
from tests.mandats.franceconnect.flows import (
    STEP_3,
    choose_identity,
    start_signing,
    wizard_of,
)
from tests.mandats.franceconnect.web import query_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_usager_logs_in_and_the_wizard_goes_to_the_recap(
    aidant_web, mock_provider, aidant, organisation
):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})

    response = aidant_web.get(callback)

    assert response.status_code == 302, response.text[:500]
    assert response.headers["Location"] == STEP_3
    usager = Usager.objects.get()
    assert (usager.given_names, usager.family_name) == ("Stéphane Louis Perceval", "DUPONT")
    assert str(usager.birthdate) == "1962-08-24"
    assert (usager.birthplace, usager.birthcountry, usager.gender) == ("75112", "99100", "male")
    wizard = wizard_of(aidant_web)
    assert wizard["usager_id"] == usager.pk
    assert wizard["demarches"] == ["argent", "social"]


def test_the_sub_is_stored_only_as_a_keyed_hash(aidant_web, mock_provider):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "3_melaine"})

    aidant_web.get(callback)

    sub = pairwise_sub(identity=get_identity("3_melaine"), provider=mock_provider)
    usager = Usager.objects.get()
    assert usager.sub_hash == Usager.hash_sub(sub)
    assert sub not in str(Usager.objects.values().get())
    assert sub not in str(list(JournalEntry.objects.values()))


def test_the_login_is_journaled_with_the_aidant_and_the_organisation(
    aidant_web, mock_provider, aidant, organisation
):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})

    aidant_web.get(callback)

    entry = JournalEntry.objects.get(action=JournalAction.USAGER_FRANCECONNECT)
    usager = Usager.objects.get()
    assert (entry.actor, entry.organisation_id) == (aidant, organisation.pk)
    assert (entry.usager_id, entry.usager_ref) == (usager.pk, usager.journal_ref)
    assert "DUPONT" not in str(entry.details)


def test_the_same_person_again_is_the_same_usager(aidant_web, mock_provider):
    for _ in range(2):
        aidant_web.get(
            choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
        )

    assert Usager.objects.count() == 1
    assert JournalEntry.objects.filter(action=JournalAction.USAGER_FRANCECONNECT).count() == 2


def test_the_authorization_request_carries_what_franceconnect_requires(
    aidant_web, mock_provider, live_server
):
    params = query_of(start_signing(aidant_web))

    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["state"] != params["nonce"]
    assert params["acr_values"] == "eidas1"
    assert params["scope"].split() == [
        "openid",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
        "preferred_username",
    ]
    assert (params["response_type"], params["client_id"]) == ("code", mock_provider.client_id)
    assert params["redirect_uri"] == f"{live_server.url}/aidants-connect/franceconnect/callback/"


def test_each_login_gets_its_own_state_and_nonce(aidant_web, mock_provider):
    first, second = (query_of(start_signing(aidant_web)) for _ in range(2))

    assert first["state"] != second["state"] and first["nonce"] != second["nonce"]
