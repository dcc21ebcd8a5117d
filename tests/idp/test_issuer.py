"""IDP_ISSUER pins the provider's issuer, where behind a proxy the request's host would mislead;
empty, the issuer is the site root as the request reaches it (see test_code_flow)."""

from joserfc import jwt

from mandats.models import Demarche

PINNED = "https://aidants-connect.exemple.gouv.fr"


def test_idp_issuer_pins_the_issuer_of_discovery_and_of_id_tokens(
    service, aidant_browser, mandat, settings
):
    settings.IDP_ISSUER = f"{PINNED}/"
    discovery = service.session.get(
        f"{service.issuer}/.well-known/openid-configuration", withhold_token=True, timeout=10
    ).json()
    transaction = service.start()
    autorisation = mandat.autorisations.get(demarche=Demarche.SOCIAL)
    callback = service.choose(aidant_browser, transaction, autorisation.pk)
    token = service.exchange(transaction, callback)

    assert discovery["issuer"] == PINNED
    assert discovery["token_endpoint"] == f"{PINNED}/idp/token"
    assert jwt.decode(token["id_token"], service.jwks()).claims["iss"] == PINNED
