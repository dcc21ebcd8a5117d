import html

import pytest
import requests

from franceconnect_mock import demo
from franceconnect_mock.testing import Defect, forge_token, id_token_claims
from tests.franceconnect_mock.relying_party import query_of, random_value

pytestmark = pytest.mark.django_db(transaction=True)

LOGOUT_CALLBACK = "http://127.0.0.1:8000/aidants-connect/franceconnect/logout-callback/"


def end_session(rp, **params: str | None) -> requests.Response:
    query = {key: value for key, value in params.items() if value is not None}
    return requests.get(f"{rp.issuer}/session/end", params=query, allow_redirects=False, timeout=10)


@pytest.fixture
def id_token(rp) -> str:
    _, token = rp.tokens_for("testfc1")
    return token["id_token"]


def test_logout_redirects_to_the_registered_uri_with_the_state(rp, id_token):
    state = random_value()

    response = end_session(
        rp, id_token_hint=id_token, state=state, post_logout_redirect_uri=LOGOUT_CALLBACK
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith(LOGOUT_CALLBACK + "?")
    assert query_of(response.headers["Location"]) == {"state": state}


def test_the_localhost_variant_of_the_demo_is_registered_too(rp, id_token):
    uri = "http://localhost:8000" + demo.LOGOUT_CALLBACK_PATH

    response = end_session(
        rp, id_token_hint=id_token, state=random_value(), post_logout_redirect_uri=uri
    )

    assert response.headers["Location"].startswith(uri)


def test_an_unregistered_post_logout_uri_gets_an_error_page_and_no_redirect(rp, id_token):
    response = end_session(
        rp,
        id_token_hint=id_token,
        state=random_value(),
        post_logout_redirect_uri="https://attaquant.example/",
    )

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "n'est pas enregistrée pour ce client" in html.unescape(response.text)


def test_a_post_logout_uri_of_another_client_is_refused(rp, other_rp, id_token):
    response = end_session(
        rp,
        id_token_hint=id_token,
        state=random_value(),
        post_logout_redirect_uri="http://127.0.0.1:9000/deconnecte/",
    )

    assert response.status_code == 400


@pytest.mark.parametrize("missing", ["id_token_hint", "state", "post_logout_redirect_uri"])
def test_every_logout_parameter_is_required(rp, id_token, missing):
    params = {
        "id_token_hint": id_token,
        "state": random_value(),
        "post_logout_redirect_uri": LOGOUT_CALLBACK,
        missing: None,
    }

    response = end_session(rp, **params)

    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "defect", [Defect.UNPUBLISHED_KEY, Defect.UNKNOWN_KID, Defect.ALG_NONE, Defect.WRONG_ISSUER]
)
def test_an_id_token_hint_we_did_not_issue_is_refused(rp, defect):
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=random_value())

    response = end_session(
        rp,
        id_token_hint=forge_token(claims, defect),
        state=random_value(),
        post_logout_redirect_uri=LOGOUT_CALLBACK,
    )

    assert response.status_code == 400
    assert "id_token émis par FranceConnect" in html.unescape(response.text)


def test_an_expired_id_token_hint_still_allows_logout(rp):
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=random_value())

    response = end_session(
        rp,
        id_token_hint=forge_token(claims, Defect.EXPIRED),
        state=random_value(),
        post_logout_redirect_uri=LOGOUT_CALLBACK,
    )

    assert response.status_code == 302
