"""The keys that seal the Aidants Connect journal, and the seals themselves.

An entry's seal is an HMAC-SHA256 of its canonical form under a key of `JOURNAL_SEAL_KEYS`, named
by the entry (`seal_key_id`): whoever can write the table but does not hold the key cannot seal a
forged entry. The first key seals new entries; the others still verify the entries they sealed, so
keys rotate without rewriting anything. Entries written before keys existed carry an unkeyed
SHA-256 (`seal_key_id` empty): accepted only up to the recorded cut-over
(`JournalSealCutover`), never after.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

# An empty key id marks the unkeyed SHA-256 of the entries sealed before the cut-over.
LEGACY_KEY_ID = ""


class UnknownSealKey(LookupError):
    """The key an entry or a checkpoint names is not (or no longer) configured."""


def current_key_id() -> str:
    return next(iter(settings.JOURNAL_SEAL_KEYS))


def _secret(key_id: str) -> bytes:
    try:
        secret = settings.JOURNAL_SEAL_KEYS[key_id]
    except KeyError:
        raise UnknownSealKey(key_id) from None
    return secret.encode()


def seal(payload: bytes, key_id: str) -> str:
    """The seal of `payload` under `key_id`, or its unkeyed SHA-256 for the legacy key id."""
    if key_id == LEGACY_KEY_ID:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(_secret(key_id), payload, hashlib.sha256).hexdigest()


def seal_matches(payload: bytes, key_id: str, expected: str) -> bool:
    # Constant-time: the comparison must not tell a forger how many characters were right.
    return hmac.compare_digest(seal(payload, key_id), expected)


def canonical_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
