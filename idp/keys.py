"""The provider's signing keys, one active per algorithm (ES256, RS256), kept by a
`core.oidc.keys.KeyRing`: created on first use, rotated by `signing_key_rotate`, retired ones
published in /jwks until they expire."""

from __future__ import annotations

from datetime import timedelta

from core.oidc.keys import DEFAULT_GRACE, KeyRing
from core.oidc.models import SigningAlgorithm
from idp.models import SigningKey

ALGORITHMS = tuple(SigningAlgorithm.values)
KEYS = KeyRing(SigningKey, algorithms=ALGORITHMS)


def signing_key_rotate(*, algorithm: str, grace: timedelta = DEFAULT_GRACE) -> SigningKey:
    """Retire the active key of `algorithm` (still published for `grace`), create a new one."""
    return KEYS.rotate(algorithm=algorithm, grace=grace)
