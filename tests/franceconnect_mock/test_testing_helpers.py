"""The forged tokens the relying-party team will use must each be wrong in exactly one way."""

import pytest
from joserfc import jws
from joserfc.errors import JoseError

from franceconnect_mock import demo
from franceconnect_mock.testing import Defect, forge_token, id_token_claims, sign
from tests.franceconnect_mock.relying_party import random_value

pytestmark = pytest.mark.django_db(transaction=True)


def strict_verify(rp, token: str, nonce: str) -> None:
    """What a relying party must check: signature by /jwks, iss, aud, exp, nonce, acr."""
    rp.verify(token, nonce=nonce, acr="eidas1")


def test_the_baseline_claims_signed_by_the_mock_pass_strict_verification(rp):
    nonce = random_value()
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=nonce)

    strict_verify(rp, sign(claims), nonce)


@pytest.mark.parametrize("defect", list(Defect))
def test_each_forged_token_fails_strict_verification(rp, defect):
    nonce = random_value()
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=nonce)

    token = forge_token(claims, defect, client_secret=demo.DEMO_CLIENT_SECRET)

    with pytest.raises((JoseError, ValueError)):
        strict_verify(rp, token, nonce)


def test_the_unpublished_key_token_names_a_published_kid(rp):
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=random_value())

    token = forge_token(claims, Defect.UNPUBLISHED_KEY)

    kid = jws.extract_compact(token.encode()).headers()["kid"]
    assert kid in {key.kid for key in rp.jwks().keys}


def test_the_hs256_forgery_needs_the_client_secret(rp):
    claims = id_token_claims(issuer=rp.issuer, client_id=rp.client_id, nonce=random_value())

    with pytest.raises(ValueError, match="client_secret"):
        forge_token(claims, Defect.HS256_CLIENT_SECRET)
