"""The provider's ES256 signing keys: created on first use, rotated by a command, published
in /jwks until they expire so that tokens signed just before a rotation still verify."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import ECKey, KeySet, KeySetSerialization

from franceconnect_mock.models import SigningKey

ALGORITHM = "ES256"
# Long enough for every token signed by the old key to expire and for relying parties to
# refetch /jwks, which they cache.
DEFAULT_GRACE = timedelta(hours=24)


def _generate_key() -> SigningKey:
    key = ECKey.generate_key("P-256", parameters={"alg": ALGORITHM, "use": "sig"}, private=True)
    key.ensure_kid()
    return SigningKey.objects.create(kid=key.kid, private_jwk=key.as_dict(private=True))


def signing_key_current() -> SigningKey:
    key = SigningKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _generate_key()
    except IntegrityError:
        # A concurrent first request created it between our read and our insert.
        return SigningKey.objects.get(is_active=True)


@transaction.atomic
def signing_key_rotate(*, grace: timedelta = DEFAULT_GRACE) -> SigningKey:
    """Retire the active key (still published for `grace`) and create a new active one."""
    SigningKey.objects.filter(is_active=True).update(
        is_active=False, expires_at=timezone.now() + grace
    )
    return _generate_key()


def signing_key_set() -> KeySet:
    """The active key alone, as a set: joserfc then writes its `kid` into the JWS header."""
    return KeySet([ECKey.import_key(signing_key_current().private_jwk)])


def published_jwks() -> KeySetSerialization:
    """The public halves of the active key and of the retired keys not yet expired."""
    signing_key_current()  # so that /jwks is never empty, even before the first login
    keys = [ECKey.import_key(key.private_jwk) for key in SigningKey.objects.published()]
    return KeySet(keys).as_dict(private=False)


def public_key_set() -> KeySet:
    """What a relying party verifies with: exactly what /jwks publishes."""
    return KeySet.import_key_set(published_jwks())
