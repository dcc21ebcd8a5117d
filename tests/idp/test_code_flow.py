import pytest
from joserfc import jwt

from idp.models import AccessToken, AuthorizationCode
from idp.services import pairwise_sub
from mandats.models import Demarche, JournalAction, JournalEntry


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def test_discovery_points_at_every_endpoint_under_the_issuer(service, live_server):
    metadata = service.metadata
    assert metadata["issuer"] == live_server.url
    for endpoint in ("authorization", "token", "userinfo", "end_session"):
        assert metadata[f"{endpoint}_endpoint"].startswith(live_server.url + "/idp/")
    assert metadata["jwks_uri"] == live_server.url + "/idp/jwks"
    assert set(metadata["id_token_signing_alg_values_supported"]) == {"ES256", "RS256"}
    assert set(metadata["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert metadata["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_the_service_receives_the_usager_identity(
    service, aidant_browser, mandat, usager, auth_method
):
    service.switch(service.secret, auth_method)
    token = service.login(aidant_browser, social(mandat).pk)

    claims = service.verify(token["id_token"], acr="eidas1")
    response = service.userinfo(token["access_token"])

    assert response.status_code == 200
    assert response.json() == {
        "sub": claims["sub"],
        "given_name": "Stéphane Louis Perceval",
        "family_name": "DUPONT",
        "birthdate": "1962-08-24",
        "gender": "male",
        "birthplace": "75112",
        "birthcountry": "99100",
        "email": usager.email,
    }


def test_the_id_token_carries_no_personal_data(service, aidant_browser, mandat):
    token = service.login(aidant_browser, social(mandat).pk)

    claims = service.verify(token["id_token"])

    assert set(claims) <= {
        "iss",
        "aud",
        "sub",
        "iat",
        "exp",
        "auth_time",
        "nonce",
        "acr",
        "at_hash",
    }


def test_the_sub_is_pairwise_and_stable(service, aidant_browser, mandat, usager, registered):
    first = service.verify(service.login(aidant_browser, social(mandat).pk)["id_token"])["sub"]
    second = service.verify(service.login(aidant_browser, social(mandat).pk)["id_token"])["sub"]
    registered.client_id = "un-autre-service"

    assert first == second
    assert pairwise_sub(usager=usager, client=registered) != first
    assert len(first) == 64


def test_rs256_and_signed_userinfo_as_registered(service, aidant_browser, mandat, registered):
    registered.signing_algorithm = "RS256"
    registered.userinfo_format = "jwt"
    registered.save()

    token = service.login(aidant_browser, social(mandat).pk)
    response = service.userinfo(token["access_token"])

    assert jwt.decode(token["id_token"], service.jwks()).header["alg"] == "RS256"
    assert response.headers["Content-Type"] == "application/jwt"
    assert service.verify(response.text)["family_name"] == "DUPONT"


def test_each_use_is_journaled(service, aidant_browser, aidant, organisation, mandat):
    service.login(aidant_browser, social(mandat).pk)

    entry = JournalEntry.objects.get(action=JournalAction.AUTORISATION_USED)
    assert entry.actor == aidant
    assert entry.organisation == organisation.structure
    assert entry.usager_id == mandat.usager_id
    assert entry.demarche == Demarche.SOCIAL
    assert entry.details == {"service": "caf-demo"}
    assert JournalEntry.objects.first_break() is None


def test_codes_and_tokens_are_stored_as_digests_only(service, aidant_browser, mandat):
    token = service.login(aidant_browser, social(mandat).pk)

    stored = AccessToken.objects.get()
    assert token["access_token"] not in (stored.token_hash,)
    assert len(stored.token_hash) == 64
    assert AuthorizationCode.objects.get().used_at is not None
