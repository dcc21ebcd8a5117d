"""A minimal relying party, driving the mock provider over real HTTP as a client would."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALL_SCOPES = (
    "openid given_name family_name birthdate gender birthplace birthcountry email "
    "preferred_username"
)


def random_value() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, above FranceConnect's 32


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class RelyingParty:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    http: requests.Session = field(default_factory=requests.Session)

    def authorize_params(self, **overrides: str | None) -> dict[str, str]:
        params: dict[str, str | None] = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": ALL_SCOPES,
            "state": random_value(),
            "nonce": random_value(),
            "acr_values": "eidas1",
            **overrides,
        }
        return {key: value for key, value in params.items() if value is not None}

    def open_authorize(self, params: dict[str, str]) -> requests.Response:
        url = f"{self.issuer}/authorize"
        return self.http.get(url, params=params, allow_redirects=False, timeout=10)

    def submit_login_page(
        self, page: requests.Response, choice: dict[str, str]
    ) -> requests.Response:
        """Press a button of the login page: {"identity": login} or {"cancel": "1"}."""
        csrf = CSRF_INPUT.search(page.text)
        assert csrf is not None, "le formulaire de connexion doit porter un jeton CSRF"
        data = {"csrfmiddlewaretoken": csrf.group(1), **choice}
        # The test settings mark the CSRF cookie Secure; browsers still send it to
        # http://localhost (a secure context), requests does not, so it is passed by hand.
        cookies = {"csrftoken": page.cookies["csrftoken"]}
        return self.http.post(
            page.url, data=data, cookies=cookies, allow_redirects=False, timeout=10
        )

    def login(
        self, identity: str, **overrides: str | None
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The front channel: returns the authorize params and the callback's query."""
        params = self.authorize_params(**overrides)
        page = self.open_authorize(params)
        assert page.status_code == 200, page.text
        callback = self.submit_login_page(page, {"identity": identity})
        assert callback.status_code == 302
        return params, query_of(callback.headers["Location"])

    def exchange(self, code: str, **overrides: str) -> requests.Response:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            **overrides,
        }
        return requests.post(f"{self.issuer}/token", data=data, timeout=10)

    def tokens_for(
        self, identity: str, **overrides: str | None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        params, callback = self.login(identity, **overrides)
        response = self.exchange(callback["code"])
        assert response.status_code == 200, response.text
        return params, response.json()

    def userinfo(self, access_token: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {access_token}"}
        return requests.get(f"{self.issuer}/userinfo", headers=headers, timeout=10)

    def jwks(self) -> KeySet:
        return KeySet.import_key_set(requests.get(f"{self.issuer}/jwks", timeout=10).json())

    def verify(self, token: str, **expected: str) -> jwt.Token:
        """Signature against /jwks, then iss, aud, exp and the `expected` claims."""
        decoded = jwt.decode(token, self.jwks(), algorithms=["ES256"])
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": self.client_id},
            "exp": {"essential": True},
        }
        options.update({name: {"essential": True, "value": v} for name, v in expected.items()})
        jwt.JWTClaimsRegistry(**options).validate(decoded.claims)
        return decoded
