"""What Aidants Connect keeps as an OpenID Connect provider: the public services registered as
clients, its signing keys, and the codes and access tokens it issued, on the abstract models of
`core.oidc` (secrets, codes and tokens as digests only)."""

from __future__ import annotations

from django.db import models

from core.models import Structure, User
from core.oidc.models import (
    HashedAccessToken,
    HashedAuthorizationCode,
    HashedSecretClient,
    RotatingSigningKey,
    SigningAlgorithm,
)
from idp.claims import SCOPES
from mandats.models import Autorisation, Demarche

# The eIDAS level the aidant's login (password + TOTP) stands for in the FranceConnect federation.
ACR_EIDAS1 = "eidas1"


class UserinfoFormat(models.TextChoices):
    JSON = "json", "JSON"
    JWT = "jwt", "JWT signé (application/jwt)"


class RelyingParty(HashedSecretClient):
    """A public service on which aidants act for usagers ("fournisseur de service")."""

    supported_scopes = SCOPES
    token_endpoint_auth_methods = ("client_secret_basic", "client_secret_post")

    name = models.CharField("nom du service", max_length=200)
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

    class Meta:
        verbose_name = "service en ligne (client OpenID Connect)"
        verbose_name_plural = "services en ligne (clients OpenID Connect)"
        ordering = ["name"]

    def allows(self, demarche: str) -> bool:
        return demarche in self.demarches

    @property
    def demarche_labels(self) -> list[str]:
        return [Demarche(code).label for code in self.demarches if code in Demarche.values]

    @property
    def id_token_signed_response_alg(self) -> str:
        return self.signing_algorithm

    def get_default_redirect_uri(self) -> str | None:
        # OIDC allows omitting redirect_uri only when exactly one is registered.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None


class SigningKey(RotatingSigningKey):
    """A key pair, one active per algorithm. The private half is in the database for now; a
    production deployment would rather keep it in a secret store or an HSM."""


class AuthorizationCode(HashedAuthorizationCode):
    client_field = "relying_party"

    relying_party = models.ForeignKey(
        RelyingParty, on_delete=models.CASCADE, verbose_name="service en ligne"
    )
    aidant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="+")
    autorisation = models.ForeignKey(Autorisation, on_delete=models.CASCADE, related_name="+")
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"code pour {self.relying_party_id}"

    def get_acr(self) -> str:
        return ACR_EIDAS1


class AccessToken(HashedAccessToken):
    client_field = "relying_party"

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

    def get_user(self) -> Autorisation:
        return self.autorisation
