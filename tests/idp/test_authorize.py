"""The aidant's side of the authorization: who may act, for whom, and for which démarche."""

import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from idp.models import AuthorizationCode
from mandats.models import Demarche
from mandats.otp import SESSION_LAST_ACTIVITY
from tests.idp.service import REDIRECT_URI, path_of, query_of
from tests.mandats.factories import MandatFactory, TOTPDeviceFactory, UsagerFactory


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def authorize_path(**params: str) -> str:
    base = {
        "response_type": "code",
        "client_id": "caf-demo",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "etat-de-test",
    }
    return f"/idp/authorize?{urlencode({**base, **params})}"


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "service-inconnu"},
        {"redirect_uri": "https://attaquant.example/retour/"},
    ],
    ids=["unknown client", "unregistered redirect_uri"],
)
def test_an_unknown_client_or_redirect_uri_gets_an_error_page_and_no_redirect(
    aidant_browser, registered, params
):
    response = aidant_browser.get(authorize_path(**params))

    assert response.status_code == 400
    assert "Location" not in response
    assert "Connexion au service en ligne impossible" in response.content.decode()


def test_the_page_lists_only_active_mandates_and_allowed_demarches(
    aidant_browser, registered, organisation, mandat
):
    expired = MandatFactory(
        organisation=organisation.structure,
        usager=UsagerFactory(family_name="EXPIRÉ"),
        expired=True,
        demarches=[Demarche.SOCIAL],
    )

    page = aidant_browser.get(authorize_path()).content.decode()

    social = mandat.autorisations.get(demarche=Demarche.SOCIAL)
    argent = mandat.autorisations.get(demarche=Demarche.ARGENT)
    assert f'value="{social.pk}"' in page
    assert f'value="{argent.pk}"' not in page  # not allowed for this service
    assert f'value="{expired.autorisations.get().pk}"' not in page
    assert "EXPIRÉ" not in page


@pytest.mark.parametrize("case", ["démarche not allowed", "expired mandate", "revoked"])
def test_an_autorisation_outside_the_choices_is_refused(
    aidant_browser, registered, organisation, mandat, case
):
    if case == "démarche not allowed":
        autorisation = mandat.autorisations.get(demarche=Demarche.ARGENT)
    elif case == "expired mandate":
        expired = MandatFactory(
            organisation=organisation.structure, expired=True, demarches=[Demarche.SOCIAL]
        )
        autorisation = expired.autorisations.get()
    else:
        autorisation = mandat.autorisations.get(demarche=Demarche.SOCIAL)
        mandat.autorisations.update(revoked_at=timezone.now())

    response = aidant_browser.post(authorize_path(), {"autorisation": autorisation.pk})

    assert response.status_code == 400
    assert not AuthorizationCode.objects.exists()


def test_an_aidant_of_another_organisation_cannot_use_the_mandate(
    verified_client, outsider_aidant, registered, mandat
):
    browser = verified_client(outsider_aidant)
    browser.defaults["HTTP_HOST"] = "localhost"
    social = mandat.autorisations.get(demarche=Demarche.SOCIAL)

    page = browser.get(authorize_path())
    response = browser.post(authorize_path(), {"autorisation": social.pk})

    assert page.status_code == 200
    assert f'value="{social.pk}"' not in page.content.decode()
    assert response.status_code == 400
    assert not AuthorizationCode.objects.exists()


@pytest.mark.parametrize("with_device", [True, False])
def test_an_aidant_without_a_verified_totp_is_sent_to_the_second_factor(
    browser, aidant, registered, mandat, with_device
):
    if with_device:
        TOTPDeviceFactory(user=aidant)
    browser.force_login(aidant)

    response = browser.get(authorize_path())

    expected = "/aidants-connect/securite/code/" if with_device else "/aidants-connect/securite/"
    assert response.status_code == 302
    assert response["Location"].startswith(expected)
    assert query_of(response["Location"])["next"] == authorize_path()


def test_an_anonymous_visitor_is_sent_to_the_login_page(browser, registered):
    response = browser.get(authorize_path())

    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_a_person_who_is_not_an_aidant_is_refused(browser, registered, gestionnaire):
    browser.force_login(gestionnaire)

    response = browser.get(authorize_path())

    assert response.status_code == 403


def _verify_again(browser, aidant) -> None:
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = aidant.totpdevice_set.get().persistent_id
    session[SESSION_LAST_ACTIVITY] = timezone.now().timestamp()
    session.save()


@pytest.mark.parametrize("params", [{"prompt": "login"}, {"max_age": "0"}])
def test_prompt_login_or_max_age_ask_for_a_fresh_totp_then_the_flow_goes_on(
    service, aidant_browser, aidant, mandat, params
):
    transaction = service.start(**params)
    response = aidant_browser.get(path_of(transaction.url))

    assert response.status_code == 302
    assert response["Location"].startswith("/aidants-connect/securite/code/")
    assert DEVICE_ID_SESSION_KEY not in aidant_browser.session
    time.sleep(1)  # auth_time has a one-second resolution
    verified_at = int(time.time())
    _verify_again(aidant_browser, aidant)
    assert query_of(response["Location"])["next"] == path_of(transaction.url)
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    token = service.exchange(transaction, callback)
    assert service.verify(token["id_token"])["auth_time"] >= verified_at


def test_fifteen_minutes_of_inactivity_ask_for_a_fresh_totp(aidant_browser, registered, mandat):
    session = aidant_browser.session
    session[SESSION_LAST_ACTIVITY] = (timezone.now() - timedelta(minutes=16)).timestamp()
    session.save()

    response = aidant_browser.get(authorize_path())

    assert response.status_code == 302
    assert response["Location"].startswith("/aidants-connect/securite/code/")


def test_cancel_returns_access_denied_with_the_state(aidant_browser, registered, mandat):
    response = aidant_browser.post(authorize_path(), {"cancel": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI)
    callback = query_of(response["Location"])
    assert (callback["error"], callback["state"]) == ("access_denied", "etat-de-test")
    assert not AuthorizationCode.objects.exists()


def test_a_claims_request_restricts_the_demarches_and_unknown_claims_are_ignored(
    aidant_browser, registered, organisation, usager
):
    mandat = MandatFactory(
        organisation=organisation.structure,
        usager=usager,
        demarches=[Demarche.SOCIAL, Demarche.LOGEMENT],
    )
    claims = '{"id_token": {"demarche": {"values": ["logement"]}}, "userinfo": {"shoe_size": null}}'

    page = aidant_browser.get(authorize_path(claims=claims)).content.decode()

    assert f'value="{mandat.autorisations.get(demarche=Demarche.LOGEMENT).pk}"' in page
    assert f'value="{mandat.autorisations.get(demarche=Demarche.SOCIAL).pk}"' not in page


def test_a_malformed_claims_request_is_returned_as_invalid_request(aidant_browser, registered):
    response = aidant_browser.get(authorize_path(claims="{pas du json"))

    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert query_of(response["Location"])["state"] == "etat-de-test"


def test_the_page_path_is_what_the_relying_party_built(service, aidant_browser, mandat):
    transaction = service.start()

    assert aidant_browser.get(path_of(transaction.url)).status_code == 200
