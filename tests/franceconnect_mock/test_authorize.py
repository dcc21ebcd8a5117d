import html

import pytest

from tests.franceconnect_mock.relying_party import query_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(rp):
    params = rp.authorize_params(redirect_uri="https://attaquant.example/vol-de-code")

    response = rp.open_authorize(params)

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "URL de retour (redirect_uri) n'est pas enregistrée" in html.unescape(response.text)
    assert "attaquant.example" not in response.text


def test_an_unknown_client_gets_an_error_page_and_no_redirect(rp):
    response = rp.open_authorize(rp.authorize_params(client_id="inconnu"))

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "client_id n'est pas enregistré" in html.unescape(response.text)


def test_a_missing_redirect_uri_gets_an_error_page(rp):
    response = rp.open_authorize(rp.authorize_params(redirect_uri=None))

    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"state": "a" * 31}, "Le parametre state doit comporter au moins 32 caracteres."),
        ({"state": None}, "Le parametre state doit comporter au moins 32 caracteres."),
        ({"nonce": "n" * 31}, "Le parametre nonce doit comporter au moins 32 caracteres."),
        ({"nonce": None}, "Le parametre nonce est obligatoire."),
        ({"acr_values": None}, "Le parametre acr_values=eidas1 est obligatoire."),
        ({"acr_values": "eidas2"}, "Le parametre acr_values=eidas1 est obligatoire."),
    ],
)
def test_franceconnect_parameters_are_enforced_with_an_oidc_error_redirect(rp, overrides, message):
    params = rp.authorize_params(**overrides)

    response = rp.open_authorize(params)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(rp.redirect_uri + "?")
    callback = query_of(response.headers["Location"])
    assert callback["error"] == "invalid_request"
    assert callback["error_description"] == message
    assert callback.get("state") == params.get("state")
    assert "code" not in callback


def test_the_openid_scope_is_required(rp):
    response = rp.open_authorize(rp.authorize_params(scope="given_name family_name"))

    callback = query_of(response.headers["Location"])
    assert callback["error"] == "invalid_scope"
    assert callback["error_description"] == "Le scope openid est obligatoire."


def test_an_unknown_scope_is_refused(rp):
    response = rp.open_authorize(rp.authorize_params(scope="openid numero_fiscal"))

    assert query_of(response.headers["Location"])["error"] == "invalid_scope"


def test_only_the_code_response_type_is_accepted(rp):
    response = rp.open_authorize(rp.authorize_params(response_type="token"))

    assert query_of(response.headers["Location"])["error"] == "unsupported_response_type"


def test_cancelling_returns_access_denied_with_the_state(rp, issuer):
    params = rp.authorize_params()
    page = rp.open_authorize(params)

    response = rp.submit_login_page(page, {"cancel": "1"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith(rp.redirect_uri + "?")
    assert query_of(response.headers["Location"]) == {
        "error": "access_denied",
        "error_description": "L'usager a annule sa connexion avec FranceConnect.",
        "state": params["state"],
        "iss": issuer,
    }


def test_a_nonce_cannot_be_used_for_a_second_login(rp):
    params, _ = rp.login("testfc1")

    response = rp.open_authorize(rp.authorize_params(nonce=params["nonce"]))

    callback = query_of(response.headers["Location"])
    assert callback["error"] == "invalid_request"
    assert "rejeu" in callback["error_description"]


def test_an_unknown_identity_is_refused_without_redirect(rp):
    page = rp.open_authorize(rp.authorize_params())

    response = rp.submit_login_page(page, {"identity": "personne"})

    assert response.status_code == 400
    assert "Location" not in response.headers


def test_choosing_an_identity_requires_the_csrf_token(rp):
    page = rp.open_authorize(rp.authorize_params())

    cookies = {"csrftoken": page.cookies["csrftoken"]}
    response = rp.http.post(
        page.url, data={"identity": "testfc1"}, cookies=cookies, allow_redirects=False, timeout=10
    )

    assert response.status_code == 403


def test_every_answer_to_the_service_names_the_issuer(rp, issuer):
    # RFC 9207, as FranceConnect's relying parties may require it: success, cancel and error.
    _, success = rp.login("testfc1")
    page = rp.open_authorize(rp.authorize_params())
    cancelled = rp.submit_login_page(page, {"cancel": "1"})
    refused = rp.open_authorize(rp.authorize_params(acr_values="eidas2"))

    assert "code" in success and success["iss"] == issuer
    for response, error in ((cancelled, "access_denied"), (refused, "invalid_request")):
        callback = query_of(response.headers["Location"])
        assert (callback["error"], callback["iss"]) == (error, issuer)
