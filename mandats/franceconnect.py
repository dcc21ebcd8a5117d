"""The FranceConnect client of Aidants Connect (OpenID Connect, FranceConnect v2).

authlib's Django integration speaks the protocol from the discovery document: the authorization
URL, the code exchange with `client_secret_post`, the pending `state` kept in the session. Pointing
it at the real integration environment is configuration only (FRANCECONNECT_DISCOVERY_URL,
FRANCECONNECT_CLIENT_ID, FRANCECONNECT_CLIENT_SECRET).

The checks FranceConnect demands are written out here rather than left to authlib, which would
accept whatever algorithms the discovery document lists, and checks neither `acr` nor /userinfo.
Every refusal is a `FranceConnectError` carrying what the person reads, in French.
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.django_client import (
    DjangoIntegration,
    DjangoOAuth2App,
    OAuth,
    OAuthError,
)
from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseRedirect
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingAlgorithmError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

ACR_EIDAS1 = "eidas1"
# FranceConnect v2 has one scope per claim: the identity the usager's mandate needs, nothing more.
IDENTITY_CLAIMS = (
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
    "preferred_username",
)
SCOPES = ("openid", *IDENTITY_CLAIMS)
# Pinned, never read from the discovery document: a token with alg "none", or HS256 keyed with our
# own client secret, must not verify whatever the provider (or someone in its place) announces.
ALGORITHMS = ("ES256", "RS256")
RANDOM_BYTES = 32  # secrets.token_urlsafe(32) is 43 characters, above FranceConnect's minimum of 32
STATE_LIFETIME = 600  # seconds for the person to log in on FranceConnect
METADATA_TTL = 3600  # discovery and JWKS are refetched hourly, and the JWKS at once on a new kid
CLOCK_LEEWAY = 30  # seconds of clock skew tolerated on exp and iat
HTTP_TIMEOUT = 10
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
CLIENT_NAME = "franceconnect"
REQUIRED_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)

ID_TOKEN = "le jeton d'identité (id_token)"  # noqa: S105 - a label, not a secret
USERINFO = "le jeton des informations d'identité (userinfo)"
RETRY = "Recommencez la connexion avec FranceConnect."
SUPPORT = (
    "Par sécurité, rien n'a été enregistré. Recommencez la connexion avec FranceConnect ; si le "
    "problème se répète, contactez le support Aidants Connect en indiquant la référence ci-dessous."
)
CLAIM_REASONS = {
    "iss": "ne vient pas de l'émetteur FranceConnect attendu",
    "aud": "est destiné à un autre service",
    "azp": "est destiné à un autre service",
    "nonce": "ne correspond pas à cette demande de connexion (nonce)",
    "acr": "n'atteste pas le niveau d'authentification eIDAS 1 demandé",
    "sub": "ne désigne pas la même personne que le jeton d'identité",
    "exp": "n'a pas de date d'expiration valide",
    "iat": "n'a pas de date d'émission valide",
    "at_hash": "ne correspond pas au jeton d'accès",
}


class FranceConnectError(Exception):
    """A login or logout refused: what happened, what to do, and a reference for the support."""

    def __init__(self, code: str, message: str, advice: str = RETRY, *, status: int = 403) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.advice = advice
        self.status = status


@dataclass(frozen=True)
class PendingLogin:
    """What the login's start left in the session, found again by its `state`."""

    purpose: str
    context: dict[str, Any]
    redirect_uri: str
    nonce: str


@dataclass(frozen=True)
class VerifiedIdentity:
    sub: str
    claims: dict[str, Any]  # the identity claims of /userinfo, nothing else
    id_token: str  # kept only to log out of FranceConnect (id_token_hint)


# --- The authlib client ---------------------------------------------------------------------


class SessionStates(DjangoIntegration):
    """authlib keeps each pending state in the session; it gives no expiry of its own."""

    expires_in = STATE_LIFETIME

    def get_state_data(self, session: SessionBase, state: str | None) -> dict | None:
        entry = session.get(f"_state_{self.name}_{state}")
        if not isinstance(entry, dict) or float(entry.get("exp") or 0) < time.time():
            return None
        return super().get_state_data(session, state)


class FranceConnectOAuth(OAuth):
    framework_integration_cls = SessionStates


class FranceConnectApp(DjangoOAuth2App):
    """authlib's Django client, its discovery document (and the JWKS kept in it) cached an hour."""

    server_metadata: dict[str, Any]

    def load_server_metadata(self) -> dict[str, Any]:
        metadata = self.server_metadata
        if time.time() - float(metadata.get("_loaded_at") or 0) < METADATA_TTL:
            return metadata
        with self._get_session() as session:
            response = session.request("GET", self._server_metadata_url, withhold_token=True)
            response.raise_for_status()
            fresh = response.json()
        check_discovery(fresh, self._server_metadata_url)
        fresh["_loaded_at"] = time.time()
        # Swapped whole: a concurrent request never reads a half-filled document.
        self.server_metadata = fresh
        return fresh


def check_discovery(metadata: object, discovery_url: str) -> None:
    """OpenID Connect Discovery 1.0, section 4.3: the issuer is the discovery URL's own prefix,
    so a document served elsewhere cannot speak for FranceConnect."""
    if not isinstance(metadata, dict) or not isinstance(metadata.get("issuer"), str):
        raise _misconfigured("discovery_invalid")
    if metadata["issuer"] + DISCOVERY_SUFFIX != discovery_url:
        raise _misconfigured("discovery_issuer")
    if not all(isinstance(metadata.get(name), str) for name in REQUIRED_ENDPOINTS):
        raise _misconfigured("discovery_endpoints")


def client() -> FranceConnectApp:
    secret = settings.FRANCECONNECT_CLIENT_SECRET
    if not secret:
        raise ImproperlyConfigured(
            "FRANCECONNECT_CLIENT_SECRET est vide : indiquez le secret du fournisseur de service."
        )
    return _client(settings.FRANCECONNECT_DISCOVERY_URL, settings.FRANCECONNECT_CLIENT_ID, secret)


@functools.lru_cache(maxsize=8)
def _client(discovery_url: str, client_id: str, client_secret: str) -> FranceConnectApp:
    # One client per configuration, so that its caches outlive a request; keyed on the settings,
    # so that a test (or a deployment) pointing at another provider gets a client of its own.
    return FranceConnectOAuth().register(
        CLIENT_NAME,
        client_cls=FranceConnectApp,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=discovery_url,
        client_kwargs={
            "scope": " ".join(SCOPES),
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": HTTP_TIMEOUT,
            # FranceConnect's access tokens live 60 seconds, authlib's default margin before
            # expiry: without this, the token would count as expired before /userinfo.
            "leeway": 0,
        },
    )


def _random() -> str:
    return secrets.token_urlsafe(RANDOM_BYTES)


# --- Login ----------------------------------------------------------------------------------


def start_login(
    request: HttpRequest, *, redirect_uri: str, purpose: str, context: dict[str, Any]
) -> HttpResponseRedirect:
    """Redirects to FranceConnect; `purpose` and `context` come back with the callback."""
    app = client()
    state, nonce = _random(), _random()
    try:
        authorization = app.create_authorization_url(
            redirect_uri, state=state, nonce=nonce, acr_values=ACR_EIDAS1
        )
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    pending = {
        "kind": "login",
        "redirect_uri": redirect_uri,
        "nonce": nonce,
        "purpose": purpose,
        "context": context,
    }
    app.framework.set_state_data(request.session, state, pending)
    return HttpResponseRedirect(authorization["url"])


def claim_state(request: HttpRequest) -> PendingLogin:
    """The login this callback answers. Single use: the state leaves the session whatever follows,
    so a replayed callback finds nothing. (A replay racing the first request still needs the
    code, which FranceConnect accepts once.)"""
    data = _pop_state(request, request.GET.get("state", ""))
    if data is None or data.get("kind") != "login":
        raise FranceConnectError(
            "state",
            "Cette réponse de FranceConnect ne correspond à aucune connexion en cours : elle a "
            "expiré, a déjà servi ou vient d'un autre navigateur.",
            "Recommencez la connexion depuis le début, dans le même navigateur.",
            status=400,
        )
    return PendingLogin(
        purpose=str(data.get("purpose") or ""),
        context=dict(data.get("context") or {}),
        redirect_uri=str(data["redirect_uri"]),
        nonce=str(data["nonce"]),
    )


def _pop_state(request: HttpRequest, state: str) -> dict | None:
    if not state:
        return None
    framework = client().framework
    data = framework.get_state_data(request.session, state)
    framework.clear_state_data(request.session, state)
    return data


def complete_login(request: HttpRequest, pending: PendingLogin) -> VerifiedIdentity:
    """Exchanges the code and verifies everything FranceConnect sends back; raises on any doubt."""
    app = client()
    check_response_issuer(app, request.GET.getlist("iss"))
    _raise_callback_error(request)
    code = request.GET.get("code", "")
    if not code:
        raise FranceConnectError(
            "code_missing", "FranceConnect n'a pas transmis de code de connexion.", status=400
        )
    try:
        token = _exchange(app, code, pending.redirect_uri)
        id_claims = verify_id_token(app, token, pending.nonce)
        userinfo = fetch_userinfo(app, token, sub=id_claims["sub"])
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    claims = {name: userinfo[name] for name in IDENTITY_CLAIMS if name in userinfo}
    return VerifiedIdentity(sub=id_claims["sub"], claims=claims, id_token=token["id_token"])


def check_response_issuer(app: FranceConnectApp, given: list[str]) -> None:
    """RFC 9207: the authorization response names who sent it, so that a response of another
    provider (a mix-up attack) is not taken for FranceConnect's. Required when the provider
    announces it, checked whenever present; errors included, hence before them."""
    try:
        metadata = app.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc
    announced = metadata.get("authorization_response_iss_parameter_supported") is True
    if not given and not announced:
        return
    if given == [metadata["issuer"]]:
        return
    if not given:
        code, reason = "iss_missing", "n'indique pas son émetteur (paramètre iss absent)"
    else:
        code, reason = "iss_mismatch", "vient d'un autre émetteur que FranceConnect (paramètre iss)"
    raise FranceConnectError(
        code, f"La réponse de connexion reçue est refusée : elle {reason}.", SUPPORT
    )


def _raise_callback_error(request: HttpRequest) -> None:
    error = request.GET.get("error", "")
    if not error:
        return
    if error == "access_denied":
        raise FranceConnectError(
            "access_denied",
            "La connexion avec FranceConnect a été annulée : aucune identité n'a été transmise.",
            "Pour continuer, recommencez et choisissez un compte pour vous identifier.",
        )
    raise FranceConnectError(
        f"provider_{error}"[:60],
        "FranceConnect a refusé la demande de connexion.",
        "Recommencez la connexion ; si le problème se répète, contactez le support Aidants "
        "Connect en indiquant la référence ci-dessous.",
        status=400,
    )


def _exchange(app: FranceConnectApp, code: str, redirect_uri: str) -> dict[str, Any]:
    try:
        token = app.fetch_access_token(
            redirect_uri=redirect_uri, code=code, grant_type="authorization_code"
        )
    except OAuthError as exc:
        raise FranceConnectError(
            f"token_{exc.error}",
            "FranceConnect a refusé le code de connexion : il a expiré ou a déjà servi.",
        ) from exc
    if str(token.get("token_type", "")).lower() != "bearer" or not token.get("access_token"):
        raise FranceConnectError("token_type", "FranceConnect n'a pas transmis de jeton d'accès.")
    return token


def verify_id_token(app: FranceConnectApp, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    raw = token.get("id_token")
    if not isinstance(raw, str) or not raw:
        raise _untrusted(ID_TOKEN, "id_token:missing", "est absent de la réponse")
    decoded = _decode(app, raw, ID_TOKEN)
    _validate(
        decoded,
        ID_TOKEN,
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": app.load_server_metadata()["issuer"]},
            sub={"essential": True},
            aud={"essential": True, "value": app.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
            acr={"essential": True, "value": ACR_EIDAS1},
        ),
        client_id=app.client_id,
    )
    at_hash = decoded.claims.get("at_hash")
    if at_hash is not None:
        expected = create_half_hash(token["access_token"], decoded.header["alg"])
        if expected is None or not secrets.compare_digest(str(at_hash), expected.decode()):
            raise _untrusted(ID_TOKEN, "id_token:at_hash", CLAIM_REASONS["at_hash"])
    return decoded.claims


def fetch_userinfo(app: FranceConnectApp, token: dict[str, Any], *, sub: str) -> dict[str, Any]:
    """FranceConnect answers /userinfo with a signed JWT: checked as strictly as the id_token,
    and about the same person."""
    try:
        response = app.get(app.load_server_metadata()["userinfo_endpoint"], token=token)
    except OAuthError as exc:
        raise _untrusted(USERINFO, f"userinfo:{exc.error}", "n'a pas pu être demandé") from exc
    if response.status_code != 200:
        raise FranceConnectError(
            f"userinfo_http_{response.status_code}",
            "FranceConnect n'a pas transmis l'identité de la personne connectée.",
        )
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media_type != "application/jwt":
        raise _untrusted(USERINFO, "userinfo:not_jwt", "n'est pas signé (application/jwt attendu)")
    decoded = _decode(app, response.text, USERINFO)
    _validate(
        decoded,
        USERINFO,
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": app.load_server_metadata()["issuer"]},
            aud={"essential": True, "value": app.client_id},
            sub={"essential": True, "value": sub},
        ),
        client_id=app.client_id,
    )
    return decoded.claims


def _decode(app: FranceConnectApp, raw: str, what: str) -> jwt.Token:
    code = "id_token" if what == ID_TOKEN else "userinfo"
    try:
        try:
            return jwt.decode(raw, _key_set(app), algorithms=ALGORITHMS)
        except InvalidKeyIdError:
            # FranceConnect rotates its keys: an unknown kid means our copy of /jwks is old.
            # Refetching cannot be forced from outside, as tokens come from FranceConnect's own
            # endpoints, never from the browser.
            return jwt.decode(raw, _key_set(app, force=True), algorithms=ALGORITHMS)
    except JoseError as exc:
        raise _untrusted(what, f"{code}:{exc.error or 'invalid'}", _reason(exc)) from exc


def _key_set(app: FranceConnectApp, *, force: bool = False) -> KeySet:
    return KeySet.import_key_set(app.fetch_jwk_set(force=force))


def _validate(
    decoded: jwt.Token, what: str, registry: jwt.JWTClaimsRegistry, *, client_id: str
) -> None:
    code = "id_token" if what == ID_TOKEN else "userinfo"
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        reference = f"{code}:{exc.error}:{getattr(exc, 'claim', '')}"
        raise _untrusted(what, reference, _reason(exc)) from exc
    # Several audiences are allowed only with ourselves as the authorized party (OIDC Core 3.1.3.7).
    audience, azp = decoded.claims.get("aud"), decoded.claims.get("azp")
    several = isinstance(audience, list) and len(audience) > 1
    if (several and azp != client_id) or (azp is not None and azp != client_id):
        raise _untrusted(what, f"{code}:azp", CLAIM_REASONS["azp"])


def _reason(exc: JoseError) -> str:
    if isinstance(exc, ExpiredTokenError):
        return "a expiré"
    if isinstance(exc, ClaimError):
        return CLAIM_REASONS.get(exc.claim, f"porte une information invalide ({exc.claim})")
    if isinstance(exc, InvalidKeyIdError):
        return "est signé par une clé que FranceConnect ne publie pas"
    if isinstance(exc, BadSignatureError):
        return "porte une signature invalide"
    if isinstance(exc, UnsupportedAlgorithmError | MissingAlgorithmError):
        return "utilise un algorithme de signature refusé (ES256 ou RS256 attendu)"
    return "est illisible"


def _untrusted(what: str, code: str, reason: str) -> FranceConnectError:
    return FranceConnectError(
        code, f"L'identité transmise par FranceConnect est refusée : {what} {reason}.", SUPPORT
    )


def _unreachable() -> FranceConnectError:
    return FranceConnectError(
        "unreachable",
        "FranceConnect ne répond pas ou répond de façon inattendue.",
        "Réessayez dans quelques minutes.",
        status=502,
    )


def _misconfigured(code: str) -> FranceConnectError:
    return FranceConnectError(
        code,
        "Le service FranceConnect configuré ne se présente pas comme attendu.",
        "Réessayez plus tard ; si le problème se répète, contactez le support Aidants Connect en "
        "indiquant la référence ci-dessous.",
        status=502,
    )


# --- Logout ---------------------------------------------------------------------------------


def start_logout(
    request: HttpRequest, *, id_token: str, post_logout_redirect_uri: str
) -> HttpResponseRedirect:
    """Redirects to FranceConnect's end_session endpoint, which comes back with our state."""
    try:
        return client().logout_redirect(
            request,
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            state=_random(),
        )
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable() from exc


def finish_logout(request: HttpRequest) -> None:
    data = _pop_state(request, request.GET.get("state", ""))
    if data is None or "post_logout_redirect_uri" not in data:
        raise FranceConnectError(
            "logout_state",
            "Cette réponse de FranceConnect ne correspond à aucune déconnexion en cours.",
            "Si vous vouliez vous déconnecter, fermez votre navigateur : votre session "
            "FranceConnect prendra fin.",
            status=400,
        )
