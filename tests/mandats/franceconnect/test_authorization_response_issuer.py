"""RFC 9207: the callback says which provider answered (`iss`). When the provider announces it,
the client requires it and compares it exactly with the discovered issuer; otherwise an `iss`
given must still match. Over real HTTP, with the forging provider and with the mock."""

import pytest

from mandats.models import Usager
from tests.mandats.franceconnect.flows import (
    STEP_3,
    assert_nothing_changed,
    assert_refused,
    choose_identity,
    records,
    start_signing,
)
from tests.mandats.franceconnect.forging_provider import Forgery
from tests.mandats.franceconnect.web import query_of

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = "n'indique pas son émetteur (paramètre iss absent)"
OTHER = "vient d'un autre émetteur que FranceConnect (paramètre iss)"


@pytest.mark.parametrize(
    ("forgery", "reason", "reference"),
    [
        (Forgery.ISS_MISSING, MISSING, "iss_missing"),
        (Forgery.ISS_OF_ANOTHER_PROVIDER, OTHER, "iss_mismatch"),
        (Forgery.ISS_NOT_ANNOUNCED_BUT_WRONG, OTHER, "iss_mismatch"),
    ],
    ids=str,
)
def test_a_callback_without_the_announced_issuer_or_from_another_is_refused(
    aidant_web, forging, forgery, reason, reference
):
    forging(forgery)
    callback = aidant_web.get(start_signing(aidant_web))
    before = records()

    response = aidant_web.follow(callback)

    assert_refused(response, 403, reason, reference)
    assert_nothing_changed(aidant_web, before)


def test_a_provider_that_does_not_announce_the_parameter_may_omit_it(aidant_web, forging):
    forging(Forgery.ISS_NOT_ANNOUNCED)
    callback = aidant_web.get(start_signing(aidant_web))

    response = aidant_web.follow(callback)

    assert "iss" not in query_of(callback.headers["Location"])
    assert response.headers["Location"] == STEP_3
    assert Usager.objects.count() == 1


def test_the_mock_sends_its_issuer_and_the_login_goes_on(aidant_web, mock_provider, settings):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})

    response = aidant_web.get(callback)

    issuer = settings.FRANCECONNECT_DISCOVERY_URL.removesuffix("/.well-known/openid-configuration")
    assert query_of(callback)["iss"] == issuer
    assert response.headers["Location"] == STEP_3


@pytest.mark.parametrize(
    ("iss", "reason"),
    [("", MISSING), ("https://franceconnect.usurpe.exemple/api/v2", OTHER)],
    ids=["removed", "replaced"],
)
def test_the_mock_callback_with_its_issuer_removed_or_replaced_is_refused(
    aidant_web, mock_provider, iss, reason
):
    callback = choose_identity(aidant_web, start_signing(aidant_web), {"identity": "testfc1"})
    params = query_of(callback)
    tampered = f"{callback.split('?')[0]}?code={params['code']}&state={params['state']}"
    before = records()

    response = aidant_web.get(tampered + (f"&iss={iss}" if iss else ""))

    assert_refused(response, 403, reason)
    assert_nothing_changed(aidant_web, before)


def test_an_error_from_another_provider_is_refused_for_its_issuer(aidant_web, mock_provider):
    state = query_of(start_signing(aidant_web))["state"]

    response = aidant_web.get(
        f"/aidants-connect/franceconnect/callback/?error=access_denied&state={state}"
        "&iss=https://franceconnect.usurpe.exemple/api/v2"
    )

    assert_refused(response, 403, OTHER)
