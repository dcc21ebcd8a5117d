"""Key rotation as a relying party sees it through jwks_uri, and RP-initiated logout."""

from joserfc import jwt

from idp.keys import signing_key_rotate
from idp.models import SigningKey
from mandats.models import Demarche
from tests.idp.service import query_of


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def test_jwks_publishes_one_key_per_algorithm_with_kid_and_no_private_part(service):
    keys = service.session.get(service.metadata["jwks_uri"], withhold_token=True).json()["keys"]

    assert sorted(key["alg"] for key in keys) == ["ES256", "RS256"]
    assert all(key["kid"] and key["use"] == "sig" for key in keys)
    assert not any("d" in key for key in keys)


def test_a_token_signed_before_a_rotation_still_verifies(service, aidant_browser, mandat):
    before = service.login(aidant_browser, social(mandat).pk)["id_token"]
    old_kid = jwt.decode(before, service.jwks()).header["kid"]

    signing_key_rotate(algorithm="ES256")
    after = service.login(aidant_browser, social(mandat).pk)["id_token"]

    assert jwt.decode(after, service.jwks()).header["kid"] != old_kid
    assert service.verify(before)["aud"] == "caf-demo"
    assert SigningKey.objects.get(kid=old_kid).is_active is False


def test_session_end_returns_to_a_registered_uri_with_the_state(service, aidant_browser, mandat):
    id_token = service.login(aidant_browser, social(mandat).pk)["id_token"]
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://127.0.0.1:9000/au-revoir/",
        "state": "etat-de-deconnexion",
    }

    response = service.session.get(
        service.metadata["end_session_endpoint"],
        params=params,
        withhold_token=True,
        allow_redirects=False,
    )

    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"state": "etat-de-deconnexion"}


def test_session_end_refuses_an_unregistered_uri(service, aidant_browser, mandat):
    id_token = service.login(aidant_browser, social(mandat).pk)["id_token"]
    params = {"id_token_hint": id_token, "post_logout_redirect_uri": "https://ailleurs.example/"}

    response = service.session.get(
        service.metadata["end_session_endpoint"],
        params=params,
        withhold_token=True,
        allow_redirects=False,
    )

    assert response.status_code == 400
    assert "Location" not in response.headers
