"""RFC 9207: every authorization response names the provider that sent it (`iss`), errors
included, as discovery announces, so that a service using several providers can tell which one
answered."""

from urllib.parse import urlsplit

import pytest

from mandats.models import Demarche
from tests.idp.service import REDIRECT_URI, path_of, query_of


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def on_the_live_host(browser, service):
    """The browser reaches the provider at the host the service discovered it at, as in real
    life (the issuer is the site root as the request reaches it), port included."""
    browser.defaults["HTTP_HOST"] = urlsplit(service.issuer).netloc
    return browser


@pytest.fixture
def live_aidant(aidant_browser, service):
    return on_the_live_host(aidant_browser, service)


@pytest.fixture
def live_anonymous(browser, service):
    return on_the_live_host(browser, service)


def test_discovery_announces_the_iss_parameter(service):
    assert service.metadata["authorization_response_iss_parameter_supported"] is True


def test_the_code_comes_back_with_the_issuer_and_is_exchanged(service, live_aidant, mandat):
    transaction = service.start()

    callback = service.choose(live_aidant, transaction, social(mandat).pk)
    token = service.exchange(transaction, callback)

    assert query_of(callback)["iss"] == service.metadata["issuer"]
    assert service.verify(token["id_token"], nonce=transaction.nonce)


def test_a_cancelled_login_comes_back_with_the_issuer(service, live_aidant, mandat):
    transaction = service.start()

    response = live_aidant.post(path_of(transaction.url), {"cancel": "1"})

    callback = query_of(response["Location"])
    assert callback["error"] == "access_denied"
    assert callback["iss"] == service.metadata["issuer"]


def test_a_refused_request_comes_back_with_the_issuer(service, live_anonymous):
    transaction = service.start(prompt="none")

    response = live_anonymous.get(path_of(transaction.url))

    assert response["Location"].startswith(REDIRECT_URI)
    callback = query_of(response["Location"])
    assert callback["error"] == "login_required"
    assert callback["iss"] == service.metadata["issuer"]


def test_a_pinned_issuer_is_the_one_sent(service, live_aidant, mandat, settings):
    settings.IDP_ISSUER = "https://aidants-connect.exemple.gouv.fr/"
    transaction = service.start()

    callback = service.choose(live_aidant, transaction, social(mandat).pk)

    assert query_of(callback)["iss"] == "https://aidants-connect.exemple.gouv.fr"
