"""Scopes the provider does not know are ignored, not refused (OpenID Connect Core 3.1.2.1 and
5.4): relying-party libraries add `offline_access` by default. Only the known ones are granted."""

from mandats.models import Demarche
from tests.idp.service import REDIRECT_URI, path_of, query_of


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def test_an_unknown_scope_is_ignored_and_only_the_known_ones_are_granted(
    service, aidant_browser, mandat
):
    token = service.login(aidant_browser, social(mandat).pk, scope="openid profile offline_access")

    assert token["scope"] == "openid profile"
    userinfo = service.userinfo(token["access_token"]).json()
    assert set(userinfo) == {"sub", "given_name", "family_name", "birthdate", "gender"}


def test_the_openid_scope_stays_required(service, aidant_browser, mandat):
    transaction = service.start(scope="profile email")

    response = aidant_browser.get(path_of(transaction.url))

    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI)
    callback = query_of(response["Location"])
    assert (callback["error"], callback["state"]) == ("invalid_scope", transaction.state)
    assert "code" not in callback
