"""The abstract models of an OpenID Connect provider: each provider's app declares its concrete
clients, signing keys, codes and access tokens on these, in its own tables.

Client secrets, codes and access tokens are stored as SHA-256 digests only: each is at least 32
random characters, so a fast digest cannot be brute-forced and a database dump hands out nothing
usable. Passwords would need a slow hash; these are not passwords.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import ClassVar

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

MIN_SECRET_LENGTH = 32


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SigningAlgorithm(models.TextChoices):
    ES256 = "ES256", "ES256 (ECDSA P-256, recommandé)"
    RS256 = "RS256", "RS256 (RSA 2048)"


class HashedSecretClient(ClientMixin, models.Model):
    """A registered client ("fournisseur de service"), authenticated by a secret kept as a digest.

    Subclasses name the scopes they know and the token endpoint's authentication methods.
    """

    supported_scopes: ClassVar[tuple[str, ...]]
    token_endpoint_auth_methods: ClassVar[tuple[str, ...]]

    client_id = models.CharField("identifiant client", max_length=100, unique=True)
    name = models.CharField("nom", max_length=200)
    secret_hash = models.CharField("empreinte du secret", max_length=64, editable=False)
    redirect_uris = models.JSONField("URL de retour", default=list)
    post_logout_redirect_uris = models.JSONField(
        "URL de retour après déconnexion", default=list, blank=True
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"Le secret client doit comporter au moins {MIN_SECRET_LENGTH} caractères."
            )
        self.secret_hash = digest(secret)

    @property
    def id_token_signed_response_alg(self) -> str:
        """The id_token's algorithm (OIDC Dynamic Registration's name for it): ES256, which
        FranceConnect recommends, unless the subclass lets each client choose."""
        return SigningAlgorithm.ES256

    # authlib's ClientMixin

    def get_client_id(self) -> str:
        return self.client_id

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in (scope or "").split() if s in self.supported_scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        # Constant time, so that response times reveal nothing about the stored digest.
        return hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in self.token_endpoint_auth_methods

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class RotatingSigningKey(models.Model):
    """A key pair, one active per algorithm; retired keys stay published until `expires_at`."""

    algorithm = models.CharField("algorithme", max_length=5, choices=SigningAlgorithm.choices)
    kid = models.CharField("identifiant (kid)", max_length=64, unique=True)
    private_jwk = models.JSONField("clé privée (JWK)")
    is_active = models.BooleanField("clé de signature en cours", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    expires_at = models.DateTimeField("retirée de /jwks le", null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = "clé de signature"
        verbose_name_plural = "clés de signature"
        ordering = ["-created_at"]
        constraints = [
            # Two concurrent first requests must not both create an active key.
            models.UniqueConstraint(
                fields=["algorithm"],
                condition=Q(is_active=True),
                name="%(app_label)s_one_active_signing_key_per_algorithm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid}"


class HashedAuthorizationCode(AuthorizationCodeMixin, models.Model):
    """A code stored only as its digest, spent once (`used_at`) and kept a while after, so
    that a replay is recognised as one.

    Subclasses add the client it was issued to (a foreign key named `client_field`) and who
    logged in.
    """

    client_field: ClassVar[str]

    code_hash = models.CharField("empreinte du code", max_length=64, unique=True)
    redirect_uri = models.CharField("URL de retour", max_length=500)
    scope = models.TextField("scopes")
    nonce = models.CharField("nonce", max_length=255, blank=True)
    auth_time = models.DateTimeField("authentifié le")
    expires_at = models.DateTimeField("expire le", db_index=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = "code d'autorisation"
        verbose_name_plural = "codes d'autorisation"

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())


class HashedAccessToken(TokenMixin, models.Model):
    """An access token stored only as its hash; short-lived and revocable.

    Subclasses add the client they were issued to (a foreign key named `client_field`), the
    code that issued them (`authorization_code`, revoked with it on a replay), and what the
    token gives access to (`get_user` of authlib's TokenMixin).
    """

    client_field: ClassVar[str]

    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    scope = models.TextField("scopes")
    issued_at = models.DateTimeField("émis le", default=timezone.now)
    expires_at = models.DateTimeField("expire le", db_index=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = "jeton d'accès"
        verbose_name_plural = "jetons d'accès"

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def check_client(self, client: HashedSecretClient) -> bool:
        # The foreign key's raw value: no query to compare it.
        return client.pk == self.serializable_value(self.client_field)

    def get_client(self) -> HashedSecretClient:
        client: HashedSecretClient = getattr(self, self.client_field)
        return client
