"""A public service relying on Aidants Connect, as a real one would be written: authlib's
requests client, configured from the discovery document alone, over real HTTP.

The aidant's browser steps go through Django's test client (its session carries the login and
the TOTP verification); the back channel (discovery, token, userinfo, jwks) goes over HTTP."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from authlib.integrations.requests_client import OAuth2Session
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

SECRET = "secret-du-service-en-ligne-de-test-0123456789"
REDIRECT_URI = "http://127.0.0.1:9000/retour/"
SCOPE = "openid profile birth email"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@dataclass
class Transaction:
    url: str
    state: str
    nonce: str
    verifier: str


@dataclass
class PublicService:
    issuer: str
    client_id: str
    secret: str = SECRET
    auth_method: str = "client_secret_basic"
    session: OAuth2Session = field(init=False)
    metadata: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.session = self.new_session(self.secret, self.auth_method)
        response = self.session.get(
            f"{self.issuer}/.well-known/openid-configuration", withhold_token=True, timeout=10
        )
        assert response.status_code == 200, response.text
        self.metadata = response.json()

    def new_session(self, secret: str, auth_method: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            secret,
            scope=SCOPE,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
            token_endpoint_auth_method=auth_method,
        )

    def switch(self, secret: str, auth_method: str) -> None:
        """Authenticate otherwise from now on; the old session is closed, not left to the GC."""
        self.session.close()
        self.session = self.new_session(secret, auth_method)

    def close(self) -> None:
        self.session.close()

    def start(self, **extra: str) -> Transaction:
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        url, _ = self.session.create_authorization_url(
            self.metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            **extra,
        )
        return Transaction(url, state, nonce, verifier)

    def choose(self, browser: Client, transaction: Transaction, autorisation_id: int) -> str:
        """The aidant picks the usager's démarche: returns the callback URL."""
        page = browser.get(path_of(transaction.url))
        assert page.status_code == 200, page.content
        response = browser.post(path_of(transaction.url), {"autorisation": autorisation_id})
        assert response.status_code == 302, response.content
        assert response["Location"].startswith(REDIRECT_URI)
        return response["Location"]

    def exchange(self, transaction: Transaction, callback: str) -> dict[str, Any]:
        return self.session.fetch_token(
            self.metadata["token_endpoint"],
            authorization_response=callback,
            state=transaction.state,
            code_verifier=transaction.verifier,
        )

    def login(self, browser: Client, autorisation_id: int, **extra: str) -> dict[str, Any]:
        transaction = self.start(**extra)
        token = self.exchange(transaction, self.choose(browser, transaction, autorisation_id))
        self.verify(token["id_token"], nonce=transaction.nonce)
        return token

    def jwks(self) -> KeySet:
        response = self.session.get(self.metadata["jwks_uri"], withhold_token=True, timeout=10)
        return KeySet.import_key_set(response.json())

    def verify(self, token: str, **expected: str) -> dict[str, Any]:
        """Signature against jwks_uri, then iss, aud, exp and the `expected` claims."""
        algorithms = self.metadata["id_token_signing_alg_values_supported"]
        claims = jwt.decode(token, self.jwks(), algorithms=algorithms).claims
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.metadata["issuer"]},
            "aud": {"essential": True, "value": self.client_id},
            "exp": {"essential": True},
        }
        options.update({name: {"essential": True, "value": v} for name, v in expected.items()})
        jwt.JWTClaimsRegistry(**options).validate(claims)
        return claims

    def userinfo(self, access_token: str) -> Any:
        headers = {"Authorization": f"Bearer {access_token}"}
        return self.session.get(
            self.metadata["userinfo_endpoint"], headers=headers, withhold_token=True, timeout=10
        )
