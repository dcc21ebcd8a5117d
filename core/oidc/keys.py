"""A provider's signing keys, one active per algorithm: created on first use, rotated on demand,
published in /jwks until they expire so that tokens signed just before a rotation still verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeyParameters, KeySet, KeySetSerialization, RSAKey

from core.oidc.models import RotatingSigningKey, SigningAlgorithm

# Long enough for every token signed by the old key to expire and for relying parties to
# refetch /jwks, which they cache.
DEFAULT_GRACE = timedelta(hours=24)

KeyT = TypeVar("KeyT", bound=RotatingSigningKey)


def _generate_jwk(algorithm: str) -> ECKey | RSAKey:
    parameters: KeyParameters = {"alg": algorithm, "use": "sig"}
    key: ECKey | RSAKey
    if algorithm == SigningAlgorithm.ES256:
        key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    else:
        key = RSAKey.generate_key(2048, parameters=parameters, private=True)
    key.ensure_kid()
    return key


@dataclass(frozen=True)
class KeyRing(Generic[KeyT]):
    """The keys of one provider, kept in its concrete `SigningKey` model."""

    model: type[KeyT]
    algorithms: tuple[str, ...]

    def _generate(self, algorithm: str) -> KeyT:
        key = _generate_jwk(algorithm)
        assert key.kid is not None  # ensure_kid set it, from the key's thumbprint
        return self.model._default_manager.create(
            algorithm=algorithm, kid=key.kid, private_jwk=key.as_dict(private=True)
        )

    def current(self, algorithm: str) -> KeyT:
        key = self.model._default_manager.filter(algorithm=algorithm, is_active=True).first()
        if key is not None:
            return key
        try:
            with transaction.atomic():
                return self._generate(algorithm)
        except IntegrityError:
            # A concurrent first request created it between our read and our insert.
            return self.model._default_manager.get(algorithm=algorithm, is_active=True)

    def rotate(self, *, algorithm: str, grace: timedelta = DEFAULT_GRACE) -> KeyT:
        """Retire the active key of `algorithm` (still published for `grace`), create a new one."""
        with transaction.atomic():
            self.model._default_manager.filter(algorithm=algorithm, is_active=True).update(
                is_active=False, expires_at=timezone.now() + grace
            )
            return self._generate(algorithm)

    def signing_set(self, algorithm: str) -> KeySet:
        """The active key alone, as a set: joserfc then writes its `kid` into the JWS header."""
        return KeySet.import_key_set({"keys": [self.current(algorithm).private_jwk]})

    def sign(self, claims: dict[str, Any], algorithm: str) -> str:
        return jwt.encode({"alg": algorithm}, claims, self.signing_set(algorithm), [algorithm])

    def published(self) -> QuerySet[KeyT]:
        """The active keys and the retired ones whose tokens may still be verified."""
        keys = self.model._default_manager.all()
        return keys.filter(Q(is_active=True) | Q(expires_at__gt=timezone.now()))

    def published_jwks(self) -> KeySetSerialization:
        """The public halves of the published keys."""
        for algorithm in self.algorithms:
            self.current(algorithm)  # so that /jwks never misses an algorithm, even at first
        private = [key.private_jwk for key in self.published()]
        return KeySet.import_key_set({"keys": private}).as_dict(private=False)

    def public_set(self) -> KeySet:
        """What a relying party verifies with: exactly what /jwks publishes."""
        return KeySet.import_key_set(self.published_jwks())

    def audience_of_id_token(self, id_token: str, *, issuer: str) -> str | None:
        """The client an id_token of ours was issued to, None when it is not ours. Its expiry
        does not matter: a person may log out long after logging in (OIDC RP-Initiated Logout,
        section 2)."""
        try:
            claims = jwt.decode(id_token, self.public_set(), algorithms=list(self.algorithms))
        except (JoseError, ValueError):
            return None
        audience = claims.claims.get("aud")
        if isinstance(audience, list) and len(audience) == 1:
            audience = audience[0]
        if claims.claims.get("iss") != issuer or not isinstance(audience, str):
            return None
        return audience
