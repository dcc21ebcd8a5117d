"""What the mock FranceConnect provider keeps: its clients, signing keys, codes and tokens, on
the abstract models of `core.oidc` (secrets, codes and tokens as digests only)."""

from __future__ import annotations

from django.db import models

from core.oidc.models import (
    HashedAccessToken,
    HashedAuthorizationCode,
    HashedSecretClient,
    RotatingSigningKey,
)
from franceconnect_mock.identities import SCOPES, Identity, get_identity

ACR_EIDAS1 = "eidas1"


class ServiceProvider(HashedSecretClient):
    """A registered client ("fournisseur de service" in FranceConnect's words)."""

    supported_scopes = SCOPES
    token_endpoint_auth_methods = ("client_secret_post",)

    class Meta:
        verbose_name = "fournisseur de service"
        verbose_name_plural = "fournisseurs de service"
        ordering = ["client_id"]

    def get_default_redirect_uri(self) -> None:
        # FranceConnect requires an explicit redirect_uri: no default to fall back on.
        return None


class SigningKey(RotatingSigningKey):
    """An ES256 key pair. The private half lives here because this provider is a mock that
    protects nothing real; a real provider would keep it in an HSM or a secret store."""


class PairwiseSecret(models.Model):
    """The provider's secret for pairwise `sub` values: one row, created on first use."""

    value = models.CharField("secret", max_length=128)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "secret des identifiants par fournisseur"

    def __str__(self) -> str:
        return f"secret créé le {self.created_at:%d/%m/%Y}"


class AuthorizationCode(HashedAuthorizationCode):
    client_field = "service_provider"

    service_provider = models.ForeignKey(
        ServiceProvider, on_delete=models.CASCADE, verbose_name="fournisseur de service"
    )
    identity_login = models.CharField("identité", max_length=64)
    acr = models.CharField("niveau eIDAS", max_length=20, default=ACR_EIDAS1)

    def __str__(self) -> str:
        return f"code pour {self.identity_login} ({self.service_provider_id})"

    def get_acr(self) -> str:
        return self.acr


class AccessToken(HashedAccessToken):
    client_field = "service_provider"

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

    def get_user(self) -> Identity | None:
        return get_identity(self.identity_login)
