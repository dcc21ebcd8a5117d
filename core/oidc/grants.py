"""Where a provider keeps the codes and access tokens it issues: as digests, spent once, purged
a while after they expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils import timezone

from core.oidc.models import HashedAccessToken, HashedAuthorizationCode, digest

# Spent codes are kept a while so that a replay is recognised as one, then purged.
PURGE_AFTER = timedelta(hours=1)

CodeT = TypeVar("CodeT", bound=HashedAuthorizationCode)
TokenT = TypeVar("TokenT", bound=HashedAccessToken)


@dataclass(frozen=True)
class GrantStore(Generic[CodeT, TokenT]):
    """The codes and access tokens of one provider, in its concrete models.

    `code_related` and `token_related` are what the grant and /userinfo read from a code or a
    token, fetched with it in the same query.
    """

    codes: type[CodeT]
    tokens: type[TokenT]
    code_lifetime: timedelta
    access_token_lifetime: timedelta
    code_related: tuple[str, ...] = ()
    token_related: tuple[str, ...] = ()

    def code_issue(
        self, *, code: str, client: models.Model, auth_time: datetime | None, **fields: Any
    ) -> CodeT:
        """Keep the code's digest, with what the grant will need back (`fields`). Without an
        `auth_time`, the person authenticated just now."""
        now = timezone.now()
        self.purge_expired(now=now)
        return self.codes._default_manager.create(
            code_hash=digest(code),
            auth_time=auth_time or now,
            expires_at=now + self.code_lifetime,
            **{self.codes.client_field: client},
            **fields,
        )

    def code_claim(self, *, code: str, client: models.Model) -> CodeT | None:
        """Use the code up, or return None when it is unknown, expired or already used.

        The compare-and-set update must touch exactly one row: two concurrent exchanges of the
        same code cannot both succeed. A replay also revokes what the first exchange obtained.
        """
        now = timezone.now()
        codes = self.codes._default_manager.filter(
            code_hash=digest(code), **{self.codes.client_field: client}
        )
        claimed = codes.filter(used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if claimed != 1:
            spent = codes.filter(used_at__isnull=False)
            self.tokens._default_manager.filter(
                authorization_code__in=spent, revoked_at__isnull=True
            ).update(revoked_at=now)
            return None
        return codes.select_related(self.codes.client_field, *self.code_related).get()

    def nonce_used(self, *, client: models.Model, nonce: str) -> bool:
        """Whether `client` already sent this nonce: a replayed authorization request."""
        codes = self.codes._default_manager.filter(**{self.codes.client_field: client})
        return codes.filter(nonce=nonce).exists()

    def token_save(
        self, *, access_token: str, client: models.Model, code: CodeT, scope: str, **fields: Any
    ) -> TokenT:
        now = timezone.now()
        return self.tokens._default_manager.create(
            token_hash=digest(access_token),
            authorization_code=code,
            scope=scope,
            issued_at=now,
            expires_at=now + self.access_token_lifetime,
            **{self.tokens.client_field: client},
            **fields,
        )

    def token_find(self, access_token: str) -> TokenT | None:
        tokens = self.tokens._default_manager.select_related(
            self.tokens.client_field, *self.token_related
        )
        return tokens.filter(token_hash=digest(access_token)).first()

    def purge_expired(self, *, now: datetime) -> None:
        # Tidied at each authorization: no worker needed for rows that only serve a minute.
        horizon = now - PURGE_AFTER
        self.tokens._default_manager.filter(expires_at__lt=horizon).delete()
        self.codes._default_manager.filter(expires_at__lt=horizon).delete()
