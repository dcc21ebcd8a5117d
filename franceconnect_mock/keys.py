"""The provider's ES256 signing keys (FranceConnect signs with ES256 only), kept by a
`core.oidc.keys.KeyRing`: created on first use, rotated by a command, retired ones published in
/jwks until they expire."""

from __future__ import annotations

from datetime import timedelta

from joserfc.jwk import KeySet, KeySetSerialization

from core.oidc.keys import DEFAULT_GRACE, KeyRing
from core.oidc.models import SigningAlgorithm
from franceconnect_mock.models import SigningKey

ALGORITHM = SigningAlgorithm.ES256.value
KEYS = KeyRing(SigningKey, algorithms=(ALGORITHM,))


def signing_key_current() -> SigningKey:
    return KEYS.current(ALGORITHM)


def signing_key_rotate(*, grace: timedelta = DEFAULT_GRACE) -> SigningKey:
    """Retire the active key (still published for `grace`) and create a new active one."""
    return KEYS.rotate(algorithm=ALGORITHM, grace=grace)


def signing_key_set() -> KeySet:
    return KEYS.signing_set(ALGORITHM)


def published_jwks() -> KeySetSerialization:
    return KEYS.published_jwks()
