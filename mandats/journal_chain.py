"""The chains of the Aidants Connect journal: how an entry is sealed, and how a chain is checked.

The journal is one hash chain per organisation (`chain` = the organisation's id), plus the
national chain (`NATIONAL_CHAIN`) for the entries that name no organisation. Appends in two
organisations never wait for each other; each chain links every entry to the previous one of the
same chain and numbers them from 1. The entries written while the journal was a single national
chain are the beginning of the national chain: they keep the sealed form they were written in
(without the chain), up to the recorded cut-over (`JournalChainCutover`); every later entry seals
its chain, so it cannot be moved to another one.

Rows are read as plain tuples in the order of `ROW_COLUMNS`: building a model per row would cost
more than checking its seal, and `verify_journal` reads millions of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from django.conf import settings

from mandats import journal_seal

GENESIS_HASH = "0" * 64
NATIONAL_CHAIN = 0
# Bumped if the canonical form ever changes, so old entries still verify under their own rules:
# 1, the unkeyed SHA-256 of the first entries; 2, keyed seals, the key id inside the sealed form;
# 3, one chain per organisation, the chain inside the sealed form.
JOURNAL_HASH_VERSION = 3
KEYED_NATIONAL_VERSION = 2
LEGACY_HASH_VERSION = 1

ROW_COLUMNS = (
    "id",
    "chain",
    "sequence",
    "created_at",
    "action",
    "actor_id",
    "organisation_id",
    "usager_id",
    "usager_ref",
    "mandat_id",
    "autorisation_id",
    "demarche",
    "details",
    "previous_hash",
    "entry_hash",
    "seal_key_id",
)
ID, CHAIN, SEQUENCE, CREATED_AT = 0, 1, 2, 3
DETAILS, PREVIOUS_HASH, ENTRY_HASH, SEAL_KEY_ID = 12, 13, 14, 15

Row = Sequence[Any]
# One encoder for every entry (json.dumps would build one per call), in the canonical settings.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_of(organisation_id: int | None) -> int:
    return organisation_id or NATIONAL_CHAIN


def chain_label(chain: int) -> str:
    if chain == NATIONAL_CHAIN:
        return "chaîne nationale (entrées sans organisation)"
    return f"chaîne de l'organisation {chain}"


def is_national_form(chain: int, sequence: int, national_until: int) -> bool:
    """Written while the journal was one national chain: sealed without its chain."""
    return chain == NATIONAL_CHAIN and sequence <= national_until


def canonical(row: Row, national_until: int) -> bytes:
    """The bytes an entry's seal covers, in the form of the version it was written in."""
    if is_national_form(row[CHAIN], row[SEQUENCE], national_until):
        return _national_canonical(row)
    # A list, not an object: the same information, cheaper to write, in a fixed order.
    return _ENCODER.encode(
        [
            JOURNAL_HASH_VERSION,
            row[SEAL_KEY_ID],
            row[CHAIN],
            row[SEQUENCE],
            row[CREATED_AT].astimezone(UTC).isoformat(),
            *row[4:DETAILS],
            row[DETAILS],
            row[PREVIOUS_HASH],
        ]
    ).encode()


def _national_canonical(row: Row) -> bytes:
    payload = {
        "v": KEYED_NATIONAL_VERSION,
        "seal_key_id": row[SEAL_KEY_ID],
        "sequence": row[SEQUENCE],
        "created_at": row[CREATED_AT].astimezone(UTC).isoformat(),
        **dict(zip(ROW_COLUMNS[4:DETAILS], row[4:DETAILS], strict=True)),
        "details": row[DETAILS],
        "previous_hash": row[PREVIOUS_HASH],
    }
    if row[SEAL_KEY_ID] == journal_seal.LEGACY_KEY_ID:
        # The form the unkeyed entries were hashed in, byte for byte.
        del payload["seal_key_id"]
        payload["v"] = LEGACY_HASH_VERSION
    return journal_seal.canonical_json(payload)


class ChainCheck:
    """Walks the entries of one chain after another, in order, one at a time (constant memory),
    and tells what is wrong with each: a gap, a broken link, an unknown key, a seal that does not
    match, or an unkeyed seal where only keyed ones are accepted."""

    def __init__(self, *, legacy_until: int, national_until: int) -> None:
        self.legacy_until = legacy_until
        self.national_until = national_until
        # Looked up once per key, not once per row.
        self._secrets = {k: s.encode() for k, s in settings.JOURNAL_SEAL_KEYS.items()}
        self.start(NATIONAL_CHAIN)

    def start(self, chain: int, *, after: Row | None = None) -> None:
        """Starts a chain: from its genesis, or after `after`, its entry just before."""
        self.chain = chain
        if after is None:
            self.previous_hash, self.expected_sequence, self.keyed_seen = GENESIS_HASH, 1, False
        else:
            self.previous_hash = after[ENTRY_HASH]
            self.expected_sequence = after[SEQUENCE] + 1
            self.keyed_seen = after[SEAL_KEY_ID] != journal_seal.LEGACY_KEY_ID

    def sealed_ok(
        self, sequence: int, previous_hash: str, entry_hash: str, key_id: str, payload: bytes
    ) -> bool:
        """True, and the chain moves on, when a keyed entry whose canonical form is already
        written (by the database: `journal_sql`) follows the chain and matches its seal. False
        says nothing more: `problem` on the entry's row then tells what is wrong, if anything."""
        secret = self._secrets.get(key_id)
        if (
            sequence != self.expected_sequence
            or previous_hash != self.previous_hash
            or secret is None
            # Constant-time, as below.
            or not hmac.compare_digest(hmac.digest(secret, payload, "sha256").hex(), entry_hash)
        ):
            return False
        self.previous_hash, self.expected_sequence, self.keyed_seen = entry_hash, sequence + 1, True
        return True

    def problem(self, row: Row) -> str | None:
        """What is wrong with the next entry of the chain, if anything."""
        reason = self._problem(row)
        if reason is None:
            self.previous_hash, self.expected_sequence = row[ENTRY_HASH], row[SEQUENCE] + 1
            self.keyed_seen = self.keyed_seen or row[SEAL_KEY_ID] != journal_seal.LEGACY_KEY_ID
        return reason

    def _problem(self, row: Row) -> str | None:
        if row[SEQUENCE] != self.expected_sequence:
            return f"numéro attendu {self.expected_sequence}, entrée absente"
        if row[PREVIOUS_HASH] != self.previous_hash:
            return "chaînage rompu avec l'entrée précédente"
        key_id = row[SEAL_KEY_ID]
        if key_id == journal_seal.LEGACY_KEY_ID:
            if self.keyed_seen or row[SEQUENCE] > self.legacy_until or row[CHAIN]:
                return (
                    "entrée forgée : empreinte sans clé, acceptée seulement jusqu'au "
                    f"n° {self.legacy_until} de la chaîne nationale (bascule vers les sceaux à clé)"
                )
            digest = hashlib.sha256(canonical(row, self.national_until)).hexdigest()
        else:
            secret = self._secrets.get(key_id)
            if secret is None:
                return f"clé de scellement inconnue « {key_id} »"
            payload = canonical(row, self.national_until)
            digest = hmac.digest(secret, payload, "sha256").hex()
        # Constant-time: the comparison must not tell a forger how many characters were right.
        return (
            None
            if hmac.compare_digest(digest, row[ENTRY_HASH])
            else "contenu modifié (empreinte invalide)"
        )
