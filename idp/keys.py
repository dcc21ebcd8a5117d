"""The provider's signing keys, one active per algorithm (ES256, RS256): created on first use,
rotated by `signing_key_rotate`, published in /jwks until they expire so that tokens signed just
before a rotation still verify. Same pattern as franceconnect_mock.keys, for two algorithms."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import ECKey, KeySet, KeySetSerialization, RSAKey

from idp.models import SigningAlgorithm, SigningKey

ALGORITHMS = tuple(SigningAlgorithm.values)
# Long enough for every token signed by the old key to expire and for relying parties to
# refetch /jwks, which they cache.
DEFAULT_GRACE = timedelta(hours=24)


def _generate_key(algorithm: str) -> SigningKey:
    parameters = {"alg": algorithm, "use": "sig"}
    key: ECKey | RSAKey
    if algorithm == SigningAlgorithm.ES256:
        key = ECKey.generate_key("P-256", parameters=parameters, private=True)
    else:
        key = RSAKey.generate_key(2048, parameters=parameters, private=True)
    key.ensure_kid()
    return SigningKey.objects.create(
        algorithm=algorithm, kid=key.kid, private_jwk=key.as_dict(private=True)
    )


def signing_key_current(algorithm: str) -> SigningKey:
    key = SigningKey.objects.filter(algorithm=algorithm, is_active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _generate_key(algorithm)
    except IntegrityError:
        # A concurrent first request created it between our read and our insert.
        return SigningKey.objects.get(algorithm=algorithm, is_active=True)


@transaction.atomic
def signing_key_rotate(*, algorithm: str, grace: timedelta = DEFAULT_GRACE) -> SigningKey:
    """Retire the active key of `algorithm` (still published for `grace`), create a new one."""
    SigningKey.objects.filter(algorithm=algorithm, is_active=True).update(
        is_active=False, expires_at=timezone.now() + grace
    )
    return _generate_key(algorithm)


def signing_key_set(algorithm: str) -> KeySet:
    """The active key alone, as a set: joserfc then writes its `kid` into the JWS header."""
    return KeySet.import_key_set({"keys": [signing_key_current(algorithm).private_jwk]})


def published_jwks() -> KeySetSerialization:
    """Public halves of the active keys and of the retired keys not yet expired."""
    for algorithm in ALGORITHMS:
        signing_key_current(algorithm)  # so that /jwks is never missing an algorithm
    private = [key.private_jwk for key in SigningKey.objects.published()]
    return KeySet.import_key_set({"keys": private}).as_dict(private=False)
