"""/userinfo answers a relying party must refuse: FranceConnect signs them, so an unsigned,
altered or misaddressed one means someone else is talking."""

import pytest

from tests.mandats.franceconnect.flows import (
    assert_nothing_changed,
    assert_refused,
    records,
    start_signing,
)
from tests.mandats.franceconnect.forging_provider import Forgery

pytestmark = pytest.mark.django_db(transaction=True)

REASONS = {
    Forgery.USERINFO_UNSIGNED: "utilise un algorithme de signature refusé",
    Forgery.USERINFO_TAMPERED: "porte une signature invalide",
    Forgery.USERINFO_AS_JSON: "n'est pas signé (application/jwt attendu)",
    Forgery.USERINFO_OTHER_SUB: "ne désigne pas la même personne que le jeton d'identité",
    Forgery.USERINFO_WRONG_AUDIENCE: "est destiné à un autre service",
    Forgery.USERINFO_WRONG_ISSUER: "ne vient pas de l'émetteur FranceConnect attendu",
}


@pytest.mark.parametrize("forgery", list(REASONS), ids=str)
def test_a_forged_userinfo_is_refused_and_nothing_is_recorded(aidant_web, forging, forgery):
    forging(forgery)
    callback = aidant_web.get(start_signing(aidant_web))
    before = records()

    response = aidant_web.follow(callback)

    assert_refused(
        response, 403, "le jeton des informations d'identité (userinfo)", REASONS[forgery]
    )
    assert_nothing_changed(aidant_web, before)
