"""What a public service does with Aidants Connect, with authlib's requests client and nothing
but the discovery URL: used by the demo service (and a model for real ones)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

TIMEOUT = 10


@dataclass(frozen=True)
class Provider:
    metadata: dict[str, Any]

    @classmethod
    def discover(cls, discovery_url: str) -> Provider:
        with requests.Session() as http:
            response = http.get(discovery_url, timeout=TIMEOUT)
            response.raise_for_status()
            return cls(response.json())

    def key_set(self) -> KeySet:
        with requests.Session() as http:
            response = http.get(self.metadata["jwks_uri"], timeout=TIMEOUT)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())

    def verify(self, token: str, *, client_id: str, **expected: str) -> dict[str, Any]:
        """Signature against jwks_uri, then iss, aud, exp and the `expected` claims."""
        algorithms = self.metadata["id_token_signing_alg_values_supported"]
        claims = jwt.decode(token, self.key_set(), algorithms=algorithms).claims
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.metadata["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "exp": {"essential": True},
        }
        options.update({name: {"essential": True, "value": v} for name, v in expected.items()})
        jwt.JWTClaimsRegistry(**options).validate(claims)
        return claims


def client_session(
    client_id: str, client_secret: str, redirect_uri: str, scope: str
) -> OAuth2Session:
    return OAuth2Session(
        client_id,
        client_secret,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
    )


def fetch_identity(
    provider: Provider,
    session: OAuth2Session,
    callback_url: str,
    *,
    state: str,
    code_verifier: str,
    nonce: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Exchange the code, verify the id_token, read /userinfo (JSON or signed JWT)."""
    token = session.fetch_token(
        provider.metadata["token_endpoint"],
        authorization_response=callback_url,
        state=state,
        code_verifier=code_verifier,
    )
    id_claims = provider.verify(
        token["id_token"], client_id=session.client_id, nonce=nonce, acr="eidas1"
    )
    response = session.get(provider.metadata["userinfo_endpoint"], timeout=TIMEOUT)
    response.raise_for_status()
    if response.headers["Content-Type"].startswith("application/jwt"):
        userinfo = provider.verify(response.text, client_id=session.client_id)
    else:
        userinfo = response.json()
    if userinfo.get("sub") != id_claims["sub"]:
        raise ValueError("Le sub de /userinfo diffère de celui de l'id_token.")
    return id_claims, userinfo
