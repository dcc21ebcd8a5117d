"""Forged FranceConnect tokens, for the relying party's negative tests.

A relying party must refuse each of these. Build valid claims, then spoil them one way::

    from franceconnect_mock.testing import Defect, forge_token, id_token_claims

    claims = id_token_claims(issuer=issuer, client_id="aidants-connect-demo", nonce=nonce)
    bad = forge_token(claims, Defect.EXPIRED, client_secret=secret)

    @pytest.mark.parametrize("defect", list(Defect))
    def test_the_callback_refuses_a_forged_id_token(defect): ...

Every defect but the signing ones uses the mock's active key, so that only the defect named
makes the token wrong. Needs database access (the keys live there).
"""

from __future__ import annotations

import base64
import json
import time
from enum import Enum
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from franceconnect_mock.keys import ALGORITHM, signing_key_set
from franceconnect_mock.models import ACR_EIDAS1


class Defect(Enum):
    UNPUBLISHED_KEY = "signé avec une clé absente de /jwks (même kid)"
    UNKNOWN_KID = "kid qui ne figure pas dans /jwks"
    ALG_NONE = "alg=none, sans signature"
    HS256_CLIENT_SECRET = "HS256 avec le secret client comme clé"  # noqa: S105 - a label
    WRONG_ISSUER = "iss d'un autre fournisseur"
    WRONG_AUDIENCE = "aud d'un autre client"
    EXPIRED = "exp dépassé"
    WITHOUT_ACR = "sans acr"


def id_token_claims(
    *, issuer: str, client_id: str, nonce: str, sub: str = "0" * 64 + "v1"
) -> dict[str, Any]:
    """Claims of an id_token the relying party would accept, before any defect."""
    now = int(time.time())
    return {
        "iss": issuer,
        "aud": client_id,
        "sub": sub,
        "iat": now,
        "exp": now + 60,
        "auth_time": now,
        "nonce": nonce,
        "acr": ACR_EIDAS1,
    }


def sign(claims: dict[str, Any]) -> str:
    """Sign with the mock's active key, as /token would."""
    return jwt.encode({"alg": ALGORITHM}, claims, signing_key_set(), [ALGORITHM])


def forge_token(claims: dict[str, Any], defect: Defect, *, client_secret: str = "") -> str:
    """`claims` signed or altered so as to carry `defect`; the claims are not modified."""
    claims = dict(claims)
    if defect is Defect.WRONG_ISSUER:
        return sign({**claims, "iss": "https://faux-fournisseur.example/api/v2"})
    if defect is Defect.WRONG_AUDIENCE:
        return sign({**claims, "aud": "un-autre-client"})
    if defect is Defect.EXPIRED:
        return sign({**claims, "iat": claims["iat"] - 3600, "exp": int(time.time()) - 600})
    if defect is Defect.WITHOUT_ACR:
        return sign({key: value for key, value in claims.items() if key != "acr"})
    if defect is Defect.ALG_NONE:
        return f"{_b64_json({'alg': 'none', 'typ': 'JWT'})}.{_b64_json(claims)}."
    if defect is Defect.HS256_CLIENT_SECRET:
        if not client_secret:
            raise ValueError("Defect.HS256_CLIENT_SECRET demande client_secret.")
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(client_secret), ["HS256"])
    return _sign_with_stranger_key(claims, keep_kid=defect is Defect.UNPUBLISHED_KEY)


def _sign_with_stranger_key(claims: dict[str, Any], *, keep_kid: bool) -> str:
    # With keep_kid the header names the published key: only the signature check can tell.
    stranger = ECKey.generate_key("P-256", parameters={"alg": ALGORITHM}, private=True)
    published_kid = signing_key_set().keys[0].kid
    header = {"alg": ALGORITHM, "kid": published_kid if keep_kid else "kid-inconnu-de-jwks"}
    return jwt.encode(header, claims, stranger, [ALGORITHM])


def _b64_json(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
