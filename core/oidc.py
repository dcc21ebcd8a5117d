"""What the product's two OpenID Connect providers share: the mock FranceConnect and Aidants
Connect as an identity provider are separate actors, but their access tokens behave alike."""

from __future__ import annotations

from datetime import datetime

from authlib.oauth2.rfc6749 import TokenMixin
from django.db import models
from django.utils import timezone


class HashedAccessToken(TokenMixin, models.Model):
    """An access token stored only as its hash; short-lived and revocable.

    Subclasses add the client they were issued to, the code that issued them, and what the
    token gives access to (`check_client`, `get_client`, `get_user` of authlib's TokenMixin).
    """

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
