"""What the mock FranceConnect provider keeps: its clients, signing keys, codes and tokens.

Secrets (client secrets, codes, access tokens) are stored as SHA-256 digests only: each one is
at least 32 random characters, so a fast digest cannot be brute-forced and a database dump
hands out nothing usable. Passwords would need a slow hash; these are not passwords.
"""

from __future__ import annotations

import hashlib
import hmac

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oidc.core import AuthorizationCodeMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.oidc import HashedAccessToken
from franceconnect_mock.identities import SCOPES, Identity, get_identity

MIN_SECRET_LENGTH = 32
ACR_EIDAS1 = "eidas1"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ServiceProvider(ClientMixin, models.Model):
    """A registered client ("fournisseur de service" in FranceConnect's words)."""

    client_id = models.CharField("identifiant client", max_length=100, unique=True)
    name = models.CharField("nom", max_length=200)
    secret_hash = models.CharField("empreinte du secret", max_length=64)
    redirect_uris = models.JSONField("URL de retour", default=list)
    post_logout_redirect_uris = models.JSONField("URL de retour après déconnexion", default=list)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "fournisseur de service"
        verbose_name_plural = "fournisseurs de service"
        ordering = ["client_id"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"Le secret client doit comporter au moins {MIN_SECRET_LENGTH} caractères."
            )
        self.secret_hash = digest(secret)

    # authlib's ClientMixin

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # FranceConnect requires an explicit redirect_uri: no default to fall back on.
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        # Constant time, so that response times reveal nothing about the stored digest.
        return hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class SigningKeyQuerySet(models.QuerySet["SigningKey"]):
    def published(self) -> SigningKeyQuerySet:
        """The active key and the retired ones whose tokens may still be verified."""
        return self.filter(Q(is_active=True) | Q(expires_at__gt=timezone.now()))


class SigningKey(models.Model):
    """An ES256 key pair. The private half lives here because this provider is a mock that
    protects nothing real; a real provider would keep it in an HSM or a secret store."""

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
            # Two concurrent first requests must not both create a signing key.
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="franceconnect_mock_one_active_signing_key",
            ),
        ]

    def __str__(self) -> str:
        return self.kid


class PairwiseSecret(models.Model):
    """The provider's secret for pairwise `sub` values: one row, created on first use."""

    value = models.CharField("secret", max_length=128)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "secret des identifiants par fournisseur"

    def __str__(self) -> str:
        return f"secret créé le {self.created_at:%d/%m/%Y}"


class AuthorizationCode(AuthorizationCodeMixin, models.Model):
    code_hash = models.CharField("empreinte du code", max_length=64, unique=True)
    service_provider = models.ForeignKey(
        ServiceProvider, on_delete=models.CASCADE, verbose_name="fournisseur de service"
    )
    identity_login = models.CharField("identité", max_length=64)
    redirect_uri = models.CharField("URL de retour", max_length=500)
    scope = models.TextField("scopes")
    nonce = models.CharField("nonce", max_length=255)
    acr = models.CharField("niveau eIDAS", max_length=20, default=ACR_EIDAS1)
    auth_time = models.DateTimeField("authentifié le")
    expires_at = models.DateTimeField("expire le", db_index=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code d'autorisation"
        verbose_name_plural = "codes d'autorisation"

    def __str__(self) -> str:
        return f"code pour {self.identity_login} ({self.service_provider_id})"

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> str:
        return self.acr


class AccessToken(HashedAccessToken):
    service_provider = models.ForeignKey(
        ServiceProvider, on_delete=models.CASCADE, verbose_name="fournisseur de service"
    )
    # Kept to revoke what a code gave if someone replays that code (RFC 6749, 4.1.2).
    authorization_code = models.ForeignKey(
        AuthorizationCode, on_delete=models.SET_NULL, null=True, blank=True
    )
    identity_login = models.CharField("identité", max_length=64)

    def __str__(self) -> str:
        return f"jeton pour {self.identity_login} ({self.service_provider_id})"

    # authlib's TokenMixin

    def check_client(self, client: ServiceProvider) -> bool:
        return client.pk == self.service_provider_id

    def get_user(self) -> Identity | None:
        return get_identity(self.identity_login)

    def get_client(self) -> ServiceProvider:
        return self.service_provider
