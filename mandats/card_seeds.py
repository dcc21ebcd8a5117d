"""The seeds of the physical TOTP cards, encrypted at rest with Fernet (AES-128-CBC and an
HMAC-SHA256 tag) under one key, AIDANTS_CONNECT_CARD_SEED_KEY, never stored in the database:
a copy of the table alone computes no code.

The demo derives the key from SECRET_KEY; a real deployment sets its own, and loading cards is
refused without it (the seeds would otherwise hang on SECRET_KEY, which may be rotated).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django_otp.oath import TOTP

STEP_SECONDS = 30
DIGITS = 6


def _fernet() -> Fernet:
    key = settings.AIDANTS_CONNECT_CARD_SEED_KEY
    if not key:
        if not settings.DEMO:
            raise ImproperlyConfigured(
                "AIDANTS_CONNECT_CARD_SEED_KEY est vide : la clé de chiffrement des graines des "
                "cartes TOTP est obligatoire hors du mode démonstration."
            )
        digest = hashlib.sha256(f"card-seeds:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    try:
        return Fernet(key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "AIDANTS_CONNECT_CARD_SEED_KEY n'est pas une clé Fernet (32 octets en base64 url)."
        ) from exc


def decode_base32(seed: str) -> bytes:
    """The seed as printed by the manufacturer: base32, any case, spaces and padding optional."""
    cleaned = "".join(seed.split()).upper().rstrip("=")
    if not cleaned:
        raise ValidationError("graine vide")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("graine qui n'est pas en base32") from exc
    if len(raw) < 10:
        raise ValidationError("graine trop courte (80 bits au moins)")
    return raw


def encrypt(seed: bytes) -> str:
    return _fernet().encrypt(seed).decode()


def decrypt(encrypted: str) -> bytes:
    try:
        return _fernet().decrypt(encrypted.encode())
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Graine de carte TOTP illisible : AIDANTS_CONNECT_CARD_SEED_KEY a changé."
        ) from exc


def totp(encrypted: str, *, drift: int = 0) -> TOTP:
    """The card's TOTP at the current time (SHA-1, 6 digits, 30 s: the cards on the market)."""
    return TOTP(decrypt(encrypted), STEP_SECONDS, 0, DIGITS, drift)
