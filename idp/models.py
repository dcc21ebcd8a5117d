"""What Aidants Connect keeps as an OpenID Connect provider: the public services registered as
clients, its signing keys, and the codes and access tokens it issued.

Client secrets, codes and access tokens are stored as SHA-256 digests only: each is at least
32 random characters, so a fast digest cannot be brute-forced and a dump hands out nothing usable.
"""

from __future__ import annotations

import hashlib
import hmac

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oidc.core import AuthorizationCodeMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Structure, User
from core.oidc import HashedAccessToken
from mandats.models import Autorisation, Demarche

MIN_SECRET_LENGTH = 32
# The eIDAS level the aidant's login (password + TOTP) stands for in the FranceConnect federation.
ACR_EIDAS1 = "eidas1"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SigningAlgorithm(models.TextChoices):
    ES256 = "ES256", "ES256 (ECDSA P-256, recommandé)"
    RS256 = "RS256", "RS256 (RSA 2048)"


class UserinfoFormat(models.TextChoices):
    JSON = "json", "JSON"
    JWT = "jwt", "JWT signé (application/jwt)"


class RelyingParty(ClientMixin, models.Model):
    """A public service on which aidants act for usagers ("fournisseur de service")."""

    client_id = models.CharField("identifiant client", max_length=100, unique=True)
    name = models.CharField("nom du service", max_length=200)
    secret_hash = models.CharField("empreinte du secret", max_length=64, editable=False)
    redirect_uris = models.JSONField("URL de retour", default=list)
    post_logout_redirect_uris = models.JSONField(
        "URL de retour après déconnexion", default=list, blank=True
    )
    signing_algorithm = models.CharField(
        "algorithme de signature",
        max_length=5,
        choices=SigningAlgorithm.choices,
        default=SigningAlgorithm.ES256,
    )
    userinfo_format = models.CharField(
        "format de /userinfo", max_length=4, choices=UserinfoFormat.choices, default="json"
    )
    demarches = models.JSONField(
        "démarches autorisées",
        default=list,
        help_text="Les démarches pour lesquelles un aidant peut utiliser ce service.",
    )
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "service en ligne (client OpenID Connect)"
        verbose_name_plural = "services en ligne (clients OpenID Connect)"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"Le secret client doit comporter au moins {MIN_SECRET_LENGTH} caractères."
            )
        self.secret_hash = digest(secret)

    def allows(self, demarche: str) -> bool:
        return demarche in self.demarches

    @property
    def demarche_labels(self) -> list[str]:
        return [Demarche(code).label for code in self.demarches if code in Demarche.values]

    @property
    def id_token_signed_response_alg(self) -> str:
        # Read by authlib's OpenIDCode to choose the id_token's algorithm.
        return self.signing_algorithm

    # authlib's ClientMixin

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # OIDC allows omitting redirect_uri only when exactly one is registered.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        from idp.claims import SCOPES  # the scopes live with the claims they release

        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        # Constant time, so that response times reveal nothing about the stored digest.
        return hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class SigningKeyQuerySet(models.QuerySet["SigningKey"]):
    def published(self) -> SigningKeyQuerySet:
        """Active keys and retired ones whose tokens may still be verified."""
        return self.filter(Q(is_active=True) | Q(expires_at__gt=timezone.now()))


class SigningKey(models.Model):
    """A key pair, one active per algorithm. The private half is in the database for now; a
    production deployment would rather keep it in a secret store or an HSM."""

    algorithm = models.CharField("algorithme", max_length=5, choices=SigningAlgorithm.choices)
    kid = models.CharField("identifiant (kid)", max_length=64, unique=True)
    private_jwk = models.JSONField("clé privée (JWK)")
    is_active = models.BooleanField("clé de signature en cours", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    expires_at = models.DateTimeField("retirée de /jwks le", null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "clé de signature"
        verbose_name_plural = "clés de signature"
        ordering = ["-created_at"]
        constraints = [
            # Two concurrent first requests must not both create an active key.
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=Q(is_active=True),
                name="idp_one_active_signing_key_per_algorithm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid}"


class AuthorizationCode(AuthorizationCodeMixin, models.Model):
    code_hash = models.CharField("empreinte du code", max_length=64, unique=True)
    relying_party = models.ForeignKey(
        RelyingParty, on_delete=models.CASCADE, verbose_name="service en ligne"
    )
    aidant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    autorisation = models.ForeignKey(Autorisation, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField("URL de retour", max_length=500)
    scope = models.TextField("scopes")
    nonce = models.CharField("nonce", max_length=255, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    auth_time = models.DateTimeField("authentifié le")
    expires_at = models.DateTimeField("expire le", db_index=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code d'autorisation"
        verbose_name_plural = "codes d'autorisation"

    def __str__(self) -> str:
        return f"code pour {self.relying_party_id}"

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        return ACR_EIDAS1


class AccessToken(HashedAccessToken):
    relying_party = models.ForeignKey(
        RelyingParty, on_delete=models.CASCADE, verbose_name="service en ligne"
    )
    # Kept to revoke what a code gave if someone replays that code (RFC 6749, 4.1.2).
    authorization_code = models.ForeignKey(
        AuthorizationCode, on_delete=models.SET_NULL, null=True, blank=True
    )
    autorisation = models.ForeignKey(Autorisation, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"jeton pour {self.relying_party_id}"

    # authlib's TokenMixin

    def check_client(self, client: RelyingParty) -> bool:
        return client.pk == self.relying_party_id

    def get_user(self) -> Autorisation:
        return self.autorisation

    def get_client(self) -> RelyingParty:
        return self.relying_party
