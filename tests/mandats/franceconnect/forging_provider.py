"""A FranceConnect that lies, one way per base URL, for the relying party's negative tests.

Tests mount it beside the whole site by setting ROOT_URLCONF to this module; the client under
test still fetches every document over HTTP. Each forgery is its own provider,
/forging-franceconnect/<forgery>/api/v2, so each test starts from a fresh client (clients are
cached per discovery URL). It approves every login at once, signs with the mock provider's active
key and publishes the mock's /jwks: apart from the forgery named, everything is right, as
`Forgery.NONE` shows by being accepted.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections import Counter
from enum import StrEnum
from typing import Any

from authlib.common.urls import add_params_to_uri
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from backend import urls as site_urls
from franceconnect_mock.identities import SCOPES, get_identity
from franceconnect_mock.keys import published_jwks
from franceconnect_mock.testing import Defect, forge_token, id_token_claims, sign

PREFIX = "forging-franceconnect"
SUB = "f" * 64 + "v1"
IDENTITY = get_identity("testfc1")


class Forgery(StrEnum):
    NONE = "aucune"
    # The id_token, spoiled by franceconnect_mock.testing (the member names are Defect's).
    UNPUBLISHED_KEY = "cle-non-publiee"
    UNKNOWN_KID = "kid-inconnu"
    ALG_NONE = "alg-none"
    HS256_CLIENT_SECRET = "hs256-secret-client"
    WRONG_ISSUER = "autre-emetteur"
    WRONG_AUDIENCE = "autre-destinataire"
    EXPIRED = "expire"
    WITHOUT_ACR = "sans-acr"
    # The id_token, spoiled here.
    OTHER_NONCE = "autre-nonce"
    # The userinfo answer.
    USERINFO_UNSIGNED = "userinfo-non-signe"
    USERINFO_TAMPERED = "userinfo-altere"
    USERINFO_AS_JSON = "userinfo-json"
    USERINFO_OTHER_SUB = "userinfo-autre-sub"
    USERINFO_WRONG_AUDIENCE = "userinfo-autre-destinataire"
    USERINFO_WRONG_ISSUER = "userinfo-autre-emetteur"
    # The `iss` of the authorization response (RFC 9207), which the others announce and send.
    ISS_MISSING = "iss-absent"
    ISS_OF_ANOTHER_PROVIDER = "iss-autre-fournisseur"
    ISS_NOT_ANNOUNCED = "iss-non-annonce"
    ISS_NOT_ANNOUNCED_BUT_WRONG = "iss-non-annonce-mais-faux"


ID_TOKEN_FORGERIES = [forgery for forgery in Forgery if forgery.name in Defect.__members__]
USERINFO_FORGERIES = [forgery for forgery in Forgery if forgery.name.startswith("USERINFO_")]
ISS_NOT_ANNOUNCED = {Forgery.ISS_NOT_ANNOUNCED, Forgery.ISS_NOT_ANNOUNCED_BUT_WRONG}
# How many times each provider's /jwks was fetched: the client's cache shows in it.
JWKS_REQUESTS: Counter[Forgery] = Counter()
_codes: dict[str, dict[str, str]] = {}
_access_tokens: dict[str, str] = {}


def issuer(base_url: str, forgery: Forgery) -> str:
    return f"{base_url}/{PREFIX}/{forgery}/api/v2"


def _forgery(value: str) -> Forgery:
    try:
        return Forgery(value)
    except ValueError as exc:
        raise Http404(value) from exc


def _issuer(request: HttpRequest, forgery: str) -> str:
    return issuer(request.build_absolute_uri("/").rstrip("/"), _forgery(forgery))


def discovery(request: HttpRequest, forgery: str) -> JsonResponse:
    base = _issuer(request, forgery)
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/session/end",
            "jwks_uri": f"{base}/jwks",
            # What a compromised discovery document could claim: the client must not believe it.
            "id_token_signing_alg_values_supported": ["none", "HS256", "ES256"],
            "authorization_response_iss_parameter_supported": (
                _forgery(forgery) not in ISS_NOT_ANNOUNCED
            ),
        }
    )


def authorize(request: HttpRequest, forgery: str) -> HttpResponseRedirect:
    params = request.GET
    code = secrets.token_urlsafe(32)
    _codes[code] = {"nonce": params["nonce"], "client_id": params["client_id"]}
    answer = [("code", code), ("state", params["state"]), *_iss(request, _forgery(forgery))]
    return HttpResponseRedirect(add_params_to_uri(params["redirect_uri"], answer))


def _iss(request: HttpRequest, forgery: Forgery) -> list[tuple[str, str]]:
    if forgery in (Forgery.ISS_MISSING, Forgery.ISS_NOT_ANNOUNCED):
        return []
    if forgery in (Forgery.ISS_OF_ANOTHER_PROVIDER, Forgery.ISS_NOT_ANNOUNCED_BUT_WRONG):
        # A mix-up: the answer of another provider the client also trusts.
        return [("iss", _issuer(request, Forgery.NONE))]
    return [("iss", _issuer(request, forgery))]


@csrf_exempt
def token(request: HttpRequest, forgery: str) -> JsonResponse:
    pending = _codes.pop(request.POST.get("code", ""), None)
    client_ok = request.POST.get("client_secret") == settings.FRANCECONNECT_CLIENT_SECRET
    if pending is None or not client_ok:
        return JsonResponse({"error": "invalid_grant"}, status=400)
    access_token = secrets.token_urlsafe(32)
    _access_tokens[access_token] = pending["client_id"]
    claims = id_token_claims(
        issuer=_issuer(request, forgery),
        client_id=pending["client_id"],
        nonce=pending["nonce"],
        sub=SUB,
    )
    return JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": _id_token(claims, _forgery(forgery)),
            "scope": " ".join(SCOPES),
        }
    )


def _id_token(claims: dict[str, Any], forgery: Forgery) -> str:
    if forgery in ID_TOKEN_FORGERIES:
        secret = settings.FRANCECONNECT_CLIENT_SECRET
        return forge_token(claims, Defect[forgery.name], client_secret=secret)
    if forgery is Forgery.OTHER_NONCE:
        return sign({**claims, "nonce": secrets.token_urlsafe(32)})
    return sign(claims)


@csrf_exempt
def userinfo(request: HttpRequest, forgery: str) -> HttpResponse:
    access_token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    client_id = _access_tokens.get(access_token)
    if client_id is None:
        return JsonResponse({"error": "invalid_token"}, status=401)
    now = int(time.time())
    claims = {
        "sub": SUB,
        **IDENTITY.claims(set(SCOPES)),
        "iss": _issuer(request, forgery),
        "aud": client_id,
        "iat": now,
        "exp": now + 60,
    }
    return _userinfo_answer(claims, _forgery(forgery))


# Signed with the right key, about the wrong person, for the wrong client or by the wrong issuer.
USERINFO_CHANGES = {
    Forgery.USERINFO_OTHER_SUB: {"sub": "0" * 64 + "v1"},
    Forgery.USERINFO_WRONG_AUDIENCE: {"aud": "un-autre-client"},
    Forgery.USERINFO_WRONG_ISSUER: {"iss": "https://faux-fournisseur.example/api/v2"},
}


def _userinfo_answer(claims: dict[str, Any], forgery: Forgery) -> HttpResponse:
    if forgery is Forgery.USERINFO_AS_JSON:
        return JsonResponse(claims)
    if forgery is Forgery.USERINFO_UNSIGNED:
        body = f"{_b64_json({'alg': 'none', 'typ': 'JWT'})}.{_b64_json(claims)}."
    elif forgery is Forgery.USERINFO_TAMPERED:
        header, _, signature = sign(claims).split(".")
        body = f"{header}.{_b64_json({**claims, 'given_name': 'Mallory'})}.{signature}"
    else:
        body = sign({**claims, **USERINFO_CHANGES.get(forgery, {})})
    return HttpResponse(body, content_type="application/jwt")


def jwks(request: HttpRequest, forgery: str) -> JsonResponse:
    JWKS_REQUESTS[_forgery(forgery)] += 1
    return JsonResponse(published_jwks())


def _b64_json(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BASE = f"{PREFIX}/<str:forgery>/api/v2"
urlpatterns = [
    path(f"{BASE}/.well-known/openid-configuration", discovery),
    path(f"{BASE}/authorize", authorize),
    path(f"{BASE}/token", token),
    path(f"{BASE}/userinfo", userinfo),
    path(f"{BASE}/jwks", jwks),
    *site_urls.urlpatterns,
]
