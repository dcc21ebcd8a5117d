"""The journal anchored outside the database, and its verification.

Whoever owns the journal's table can disable its triggers: delete the newest entries, truncate,
insert. Keyed seals stop forged entries; only something the database cannot reach stops silent
deletions. At a fixed interval (`mandats.beat`) a signed checkpoint of the head of the chain — its
number, id and seal, the cut-over, the time — is written to `storages["journal_anchors"]`, one
file per head, never overwritten: a directory the database host cannot write, or an object
storage bucket with object lock in production. `journal_verify` walks the chain and the
checkpoints together, in order, in constant memory: every checkpoint must match an entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from mandats import journal_seal
from mandats.models import JournalBreak, JournalChainCheck, JournalEntry, JournalSealCutover

STORAGE_ALIAS = "journal_anchors"
_PREFIX, _SUFFIX = "journal-", ".json"
# Signed forms carry their kind, so a checkpoint's signature can never pass for an entry's seal.
_KIND = "aidants-connect-journal-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    name: str
    sequence: int
    entry_id: int
    seal: str
    legacy_until: int
    anchored_at: datetime


@dataclass(frozen=True)
class JournalReport:
    entries: int
    checkpoints: int
    first_break: JournalBreak | None


class InvalidCheckpoint(Exception):
    pass


def anchor_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def checkpoint_name(sequence: int) -> str:
    # Zero-padded: the names sort in the order of the chain.
    return f"{_PREFIX}{sequence:012d}{_SUFFIX}"


def journal_anchor_head() -> Checkpoint | None:
    """Writes the signed checkpoint of the current head, unless it is already anchored (then the
    task is a no-op: idempotent, retry-safe). Returns the checkpoint written."""
    head = JournalEntry.objects.order_by("-sequence").values("pk", "sequence", "entry_hash").first()
    if head is None:
        return None
    name = checkpoint_name(head["sequence"])
    storage = anchor_storage()
    if storage.exists(name):
        return None
    key_id = journal_seal.current_key_id()
    signed = {
        "kind": _KIND,
        "sequence": head["sequence"],
        "entry_id": head["pk"],
        "seal": head["entry_hash"],
        "legacy_until": JournalSealCutover.legacy_until(),
        "anchored_at": timezone.now().isoformat(),
        "key_id": key_id,
    }
    signature = journal_seal.seal(journal_seal.canonical_json(signed), key_id)
    storage.save(name, ContentFile(journal_seal.canonical_json({**signed, "signature": signature})))
    return _checkpoint(name, signed)


def _checkpoint(name: str, signed: dict) -> Checkpoint:
    return Checkpoint(
        name=name,
        sequence=signed["sequence"],
        entry_id=signed["entry_id"],
        seal=signed["seal"],
        legacy_until=signed["legacy_until"],
        anchored_at=datetime.fromisoformat(signed["anchored_at"]),
    )


def _read(storage: Storage, name: str) -> Checkpoint:
    try:
        with storage.open(name, "rb") as file:
            body = json.loads(file.read())
        signature, signed = body.pop("signature"), body  # the signature covers all the rest
        valid = signed["kind"] == _KIND and journal_seal.seal_matches(
            journal_seal.canonical_json(signed), signed["key_id"], signature
        )
        checkpoint = _checkpoint(name, signed)
    except journal_seal.UnknownSealKey as unknown:
        raise InvalidCheckpoint(f"clé de signature inconnue « {unknown} »") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidCheckpoint("illisible") from None
    if not valid:
        raise InvalidCheckpoint("signature invalide")
    return checkpoint


def journal_verify() -> JournalReport:
    """Walks the chain and the checkpoints together and names the first entry that is forged,
    altered or missing."""
    legacy_until = JournalSealCutover.legacy_until()
    chain = JournalChainCheck(legacy_until=legacy_until)
    checkpoints = _CheckpointCursor()
    entries = 0
    try:
        checkpoints.start()
        for entry in JournalEntry.objects.order_by("sequence").iterator(chunk_size=2000):
            reason = chain.problem(entry) or checkpoints.problem(entry, legacy_until)
            if reason is not None:
                return JournalReport(entries, checkpoints.matched, _break(entry, reason))
            entries += 1
        return JournalReport(entries, checkpoints.matched, checkpoints.beyond(chain))
    except InvalidCheckpoint as invalid:
        name = checkpoints.reading
        reason = f"point d'ancrage « {name} » invalide ({invalid})"
        return JournalReport(entries, checkpoints.matched, JournalBreak(None, 0, reason))


def _break(entry: JournalEntry, reason: str) -> JournalBreak:
    return JournalBreak(entry.pk, entry.sequence, reason)


class _CheckpointCursor:
    """The next checkpoint not yet matched against an entry."""

    def __init__(self) -> None:
        self._names = iter(self._sorted_names())
        self.reading = ""
        self.matched = 0
        self.next: Checkpoint | None = None

    def start(self) -> None:
        self.next = self._advance()

    @staticmethod
    def _sorted_names() -> list[str]:
        storage = anchor_storage()
        if not storage.exists(""):
            return []
        return sorted(
            n for n in storage.listdir("")[1] if n.startswith(_PREFIX) and n.endswith(_SUFFIX)
        )

    def _advance(self) -> Checkpoint | None:
        self.reading = next(self._names, "")
        return _read(anchor_storage(), self.reading) if self.reading else None

    def problem(self, entry: JournalEntry, legacy_until: int) -> str | None:
        while self.next is not None and self.next.sequence <= entry.sequence:
            checkpoint = self.next
            if checkpoint.legacy_until != legacy_until:
                return (
                    f"bascule des sceaux modifiée : la base la place au n° {legacy_until}, "
                    f"le point d'ancrage « {checkpoint.name} » au n° {checkpoint.legacy_until}"
                )
            if checkpoint.sequence == entry.sequence and (
                checkpoint.seal != entry.entry_hash or checkpoint.entry_id != entry.pk
            ):
                return f"ne correspond pas au point d'ancrage « {checkpoint.name} »"
            self.matched += 1
            self.next = self._advance()
        return None

    def beyond(self, chain: JournalChainCheck) -> JournalBreak | None:
        """A checkpoint past the last entry: the entries from there on were deleted."""
        checkpoint = self.next
        if checkpoint is None:
            return None
        missing = chain.expected_sequence
        reason = (
            f"entrée n° {missing} absente : le point d'ancrage « {checkpoint.name} » du "
            f"{timezone.localtime(checkpoint.anchored_at):%d/%m/%Y à %H:%M} atteste "
            f"l'entrée n° {checkpoint.sequence}"
        )
        return JournalBreak(None, missing, reason)
