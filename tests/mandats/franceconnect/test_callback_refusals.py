"""Callbacks FranceConnect's answer cannot be trusted for, over real HTTP with the mock provider:
each ends on a French page saying what happened and what to do, and records nothing."""

import time

import pytest

from tests.mandats.franceconnect.flows import (
    assert_nothing_changed,
    assert_refused,
    choose_identity,
    records,
    start_signing,
)
from tests.mandats.franceconnect.web import Web, query_of

pytestmark = pytest.mark.django_db(transaction=True)


def with_state(callback: str, state: str) -> str:
    params = query_of(callback)
    base = callback.split("?")[0]
    return f"{base}?code={params['code']}&state={state}&iss={params['iss']}"


def test_a_wrong_state_is_refused(aidant_web, mock_provider):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    before = records()

    response = aidant_web.get(with_state(callback, "x" * 43))

    assert_refused(response, 400, "ne correspond à aucune connexion en cours")
    assert_nothing_changed(aidant_web, before)


def test_a_callback_without_state_is_refused(aidant_web, mock_provider):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    before = records()

    response = aidant_web.get(callback.split("&state=")[0])

    assert_refused(response, 400, "ne correspond à aucune connexion en cours")
    assert_nothing_changed(aidant_web, before)


def test_a_replayed_callback_is_refused_by_its_spent_state(aidant_web, mock_provider):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    assert aidant_web.get(callback).status_code == 302
    before = records()

    response = aidant_web.get(callback)

    assert_refused(response, 400, "a déjà servi")
    assert records() == before


def test_a_replayed_code_is_refused_by_franceconnect(aidant_web, mock_provider):
    first = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    assert aidant_web.get(first).status_code == 302
    before = records()
    # A fresh, valid state of this browser, carrying the code already spent.
    fresh_state = query_of(start_signing(aidant_web))["state"]

    response = aidant_web.get(with_state(first, fresh_state))

    assert_refused(response, 403, "a expiré ou a déjà servi")
    assert records() == before
    assert "token_invalid_grant" in response.text


def test_a_code_of_another_login_is_refused_by_its_nonce(aidant_web, mock_provider):
    # Two logins under way in the same browser: the code of the first is presented with the
    # state of the second, as an attacker injecting a code of theirs would.
    first = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    second_state = query_of(start_signing(aidant_web))["state"]
    before = records()

    response = aidant_web.get(with_state(first, second_state))

    assert_refused(response, 403, "ne correspond pas à cette demande de connexion (nonce)")
    assert_nothing_changed(aidant_web, before)


def test_the_usager_cancelling_on_franceconnect_is_refused(aidant_web, mock_provider):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"cancel": "1"})
    before = records()

    assert query_of(callback)["error"] == "access_denied"
    response = aidant_web.get(callback)

    assert_refused(response, 403, "a été annulée", "recommencez")
    assert "/aidants-connect/nouveau-mandat/franceconnect/" in response.text
    assert_nothing_changed(aidant_web, before)


def test_another_error_of_franceconnect_is_refused(aidant_web, mock_provider, settings):
    state = query_of(start_signing(aidant_web))["state"]
    # The mock announces RFC 9207's iss: its errors carry it too.
    issuer = settings.FRANCECONNECT_DISCOVERY_URL.removesuffix("/.well-known/openid-configuration")
    before = records()

    response = aidant_web.get(
        f"/aidants-connect/franceconnect/callback/?error=server_error&state={state}&iss={issuer}"
    )

    assert_refused(response, 400, "FranceConnect a refusé la demande de connexion")
    assert_nothing_changed(aidant_web, before)


def test_a_state_older_than_ten_minutes_is_refused(aidant_web, mock_provider, monkeypatch):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    before = records()
    later = time.time() + 601
    monkeypatch.setattr("mandats.franceconnect.time.time", lambda: later)

    response = aidant_web.get(callback)

    assert_refused(response, 400, "a expiré")
    assert_nothing_changed(aidant_web, before)


def test_the_callback_opened_in_another_browser_is_refused(aidant_web, mock_provider, live_server):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    before = records()
    other_browser = Web(live_server.url)

    try:
        response = other_browser.get(callback)
    finally:
        other_browser.close()

    assert_refused(response, 400, "vient d'un autre navigateur")
    assert records() == before


def test_a_wizard_no_longer_valid_when_the_usager_comes_back_is_refused(
    aidant_web, mock_provider, organisation
):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    # Meanwhile the référent closes one of the démarches chosen at step 1.
    organisation.allowed_demarches = ["argent"]
    organisation.save()
    before = records()

    response = aidant_web.get(callback)

    assert_refused(response, 400, "modifié ou abandonné")
    assert_nothing_changed(aidant_web, before)
