"""id_tokens a relying party must refuse, each served by the forging provider over real HTTP:
the client fetches discovery, token, JWKS and userinfo as it would from FranceConnect."""

import pytest

from mandats.models import JournalAction, JournalEntry, Usager
from tests.mandats.franceconnect.flows import (
    STEP_3,
    assert_nothing_changed,
    assert_refused,
    records,
    start_signing,
)
from tests.mandats.franceconnect.forging_provider import (
    JWKS_REQUESTS,
    SUB,
    Forgery,
)

pytestmark = pytest.mark.django_db(transaction=True)

REASONS = {
    Forgery.UNPUBLISHED_KEY: "porte une signature invalide",
    Forgery.UNKNOWN_KID: "est signé par une clé que FranceConnect ne publie pas",
    Forgery.ALG_NONE: "utilise un algorithme de signature refusé",
    Forgery.HS256_CLIENT_SECRET: "utilise un algorithme de signature refusé",
    Forgery.WRONG_ISSUER: "ne vient pas de l'émetteur FranceConnect attendu",
    Forgery.WRONG_AUDIENCE: "est destiné à un autre service",
    Forgery.EXPIRED: "a expiré",
    Forgery.WITHOUT_ACR: "n'atteste pas le niveau d'authentification eIDAS 1 demandé",
    Forgery.OTHER_NONCE: "ne correspond pas à cette demande de connexion (nonce)",
}


def log_in_through(web, forging, forgery: Forgery):
    forging(forgery)
    return web.follow(web.get(start_signing(web)))


def test_the_forging_provider_is_trusted_when_it_forges_nothing(aidant_web, forging):
    response = log_in_through(aidant_web, forging, Forgery.NONE)

    assert response.status_code == 302, response.text[:500]
    assert response.headers["Location"] == STEP_3
    assert Usager.objects.get().sub_hash == Usager.hash_sub(SUB)
    assert JournalEntry.objects.filter(action=JournalAction.USAGER_FRANCECONNECT).count() == 1


@pytest.mark.parametrize("forgery", list(REASONS), ids=str)
def test_a_forged_id_token_is_refused_and_nothing_is_recorded(aidant_web, forging, forgery):
    forging(forgery)
    callback = aidant_web.get(start_signing(aidant_web))
    before = records()

    response = aidant_web.follow(callback)

    assert_refused(response, 403, "le jeton d'identité (id_token)", REASONS[forgery])
    assert_nothing_changed(aidant_web, before)


def test_an_unknown_kid_makes_the_client_refetch_the_jwks_once_before_refusing(aidant_web, forging):
    log_in_through(aidant_web, forging, Forgery.UNKNOWN_KID)

    # Once on first use, once more for the kid it did not know; then refused.
    assert JWKS_REQUESTS[Forgery.UNKNOWN_KID] == 2


def test_the_jwks_is_cached_between_logins(aidant_web, forging):
    for _ in range(3):
        assert log_in_through(aidant_web, forging, Forgery.NONE).status_code == 302

    assert JWKS_REQUESTS[Forgery.NONE] == 1


def test_a_key_known_by_its_kid_but_not_its_signature_is_not_refetched(aidant_web, forging):
    log_in_through(aidant_web, forging, Forgery.UNPUBLISHED_KEY)

    assert JWKS_REQUESTS[Forgery.UNPUBLISHED_KEY] == 1
