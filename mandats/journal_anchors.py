"""The journal's chains anchored outside the database, and the journal's verification.

Whoever owns the journal's table can disable its triggers: delete the newest entries of a chain,
truncate, insert. Keyed seals stop forged entries; only something the database cannot reach stops
silent deletions. At a fixed interval (`mandats.beat`) a signed checkpoint is written to
`storages["journal_anchors"]`, one file per run, never overwritten: the heads (number, id and
seal of the last entry) of every chain that moved since the previous run, the cut-overs, the
time. In production: a directory the database host cannot write, or an object storage bucket
with object lock. `journal_verify` checks every checkpoint against the entries it names (one
query per checkpoint) and walks every chain (`mandats.journal_walk`), in constant memory.

Checkpoints written while the journal was one chain (`journal-<number>.json`, one head each)
still verify: they name heads of the national chain.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.utils import timezone

from mandats import journal_seal, journal_walk
from mandats.journal_chain import NATIONAL_CHAIN
from mandats.models import (
    JournalAnchorRun,
    JournalBreak,
    JournalChainCutover,
    JournalEntry,
    JournalSealCutover,
    chain_heads,
)

STORAGE_ALIAS = "journal_anchors"
_PREFIX, _SUFFIX = "journal-", ".json"
# Signed forms carry their kind, so a checkpoint's signature can never pass for an entry's seal.
_KIND = "aidants-connect-journal-heads"
_SINGLE_CHAIN_KIND = "aidants-connect-journal-checkpoint"  # written before the chains split
# A run also looks at the entries written this long before the previous run: one whose
# transaction was still open then had not been seen.
ANCHOR_OVERLAP = timedelta(minutes=5)
# More problems than this are not listed: the first ones tell where to look.
MAX_BREAKS = 20


@dataclass(frozen=True)
class AnchoredHead:
    chain: int
    sequence: int
    entry_id: int
    seal: str


@dataclass(frozen=True)
class Checkpoint:
    name: str
    heads: list[AnchoredHead]
    legacy_until: int
    national_until: int | None  # None: written before the chains split
    anchored_at: datetime


@dataclass(frozen=True)
class JournalReport:
    entries: int
    chains: int
    checkpoints: int
    breaks: list[JournalBreak]

    @property
    def first_break(self) -> JournalBreak | None:
        return self.breaks[0] if self.breaks else None


class InvalidCheckpoint(Exception):
    pass


def anchor_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def checkpoint_name(anchored_at: datetime) -> str:
    # UTC and zero-padded: the names sort in the order they were written.
    return f"{_PREFIX}heads-{anchored_at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z{_SUFFIX}"


def single_chain_checkpoint_name(sequence: int) -> str:
    return f"{_PREFIX}{sequence:012d}{_SUFFIX}"


def journal_anchor_heads() -> Checkpoint | None:
    """Writes the signed checkpoint of the heads of the chains that moved since the previous
    run, or nothing when none did (idempotent, retry-safe). Returns the checkpoint written."""
    now = timezone.now()
    previous = JournalAnchorRun.objects.first()
    if previous is None:
        chains = [chain for chain, _ in journal_walk.chain_heads()]
        anchored: dict[str, int] = {}
    else:
        since = previous.anchored_at - ANCHOR_OVERLAP
        chains = list(
            JournalEntry.objects.filter(created_at__gte=since)
            .order_by()
            .values_list("chain", flat=True)
            .distinct()
        )
        anchored = previous.heads
    current = [AnchoredHead(*head) for head in chain_heads(chains)] if chains else []
    moved = [head for head in current if anchored.get(str(head.chain)) != head.sequence]
    if not moved:
        return None
    checkpoint = Checkpoint(
        name=checkpoint_name(now),
        heads=sorted(moved, key=lambda head: head.chain),
        legacy_until=JournalSealCutover.legacy_until(),
        national_until=JournalChainCutover.national_until(),
        anchored_at=now,
    )
    _write(checkpoint)
    JournalAnchorRun.objects.create(
        anchored_at=now,
        name=checkpoint.name,
        heads={str(head.chain): head.sequence for head in current},
    )
    return checkpoint


def _write(checkpoint: Checkpoint) -> None:
    key_id = journal_seal.current_key_id()
    signed = {
        "kind": _KIND,
        "heads": [[h.chain, h.sequence, h.entry_id, h.seal] for h in checkpoint.heads],
        "legacy_until": checkpoint.legacy_until,
        "national_until": checkpoint.national_until,
        "anchored_at": checkpoint.anchored_at.isoformat(),
        "key_id": key_id,
    }
    signature = journal_seal.seal(journal_seal.canonical_json(signed), key_id)
    body = journal_seal.canonical_json({**signed, "signature": signature})
    anchor_storage().save(checkpoint.name, ContentFile(body))


def _read(storage: Storage, name: str) -> Checkpoint:
    try:
        with storage.open(name, "rb") as file:
            body = json.loads(file.read())
        signature, signed = body.pop("signature"), body  # the signature covers all the rest
        valid = signed["kind"] in (_KIND, _SINGLE_CHAIN_KIND) and journal_seal.seal_matches(
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


def _checkpoint(name: str, signed: dict[str, Any]) -> Checkpoint:
    if signed["kind"] == _SINGLE_CHAIN_KIND:
        heads = [
            AnchoredHead(NATIONAL_CHAIN, signed["sequence"], signed["entry_id"], signed["seal"])
        ]
        national_until = None
    else:
        heads = [
            AnchoredHead(int(c), int(s), int(i), str(seal)) for c, s, i, seal in signed["heads"]
        ]
        national_until = signed["national_until"]
    return Checkpoint(
        name=name,
        heads=heads,
        legacy_until=signed["legacy_until"],
        national_until=national_until,
        anchored_at=datetime.fromisoformat(signed["anchored_at"]),
    )


def journal_verify(*, workers: int | None = None) -> JournalReport:
    """Checks every checkpoint against the entries it names, then walks every chain, in
    `workers` processes; names the first entry forged, altered or missing of each chain."""
    workers = workers or os.cpu_count() or 1
    matched, breaks = _verify_checkpoints()
    walked = journal_walk.walk(workers=workers)
    first: dict[int, JournalBreak] = {}
    for found in [*breaks, *walked.breaks]:
        known = first.get(found.chain)
        if known is None or found.sequence < known.sequence:
            first[found.chain] = found
    ordered = sorted(first.values(), key=lambda b: (b.entry_id is not None, b.chain))
    return JournalReport(walked.rows, walked.chains, matched, ordered[:MAX_BREAKS])


def _verify_checkpoints() -> tuple[int, list[JournalBreak]]:
    legacy_until = JournalSealCutover.legacy_until()
    national_until = JournalChainCutover.national_until()
    storage, matched, breaks = anchor_storage(), 0, []
    for name in _sorted_names(storage):
        try:
            checkpoint = _read(storage, name)
        except InvalidCheckpoint as invalid:
            reason = f"point d'ancrage « {name} » invalide ({invalid})"
            return matched, [JournalBreak(None, 0, reason)]
        problem = _cutover_problem(checkpoint, legacy_until, national_until)
        if problem:
            return matched, [JournalBreak(None, 0, problem)]
        found = _heads_problems(checkpoint)
        breaks += found
        matched += not found
    return matched, breaks


def _sorted_names(storage: Storage) -> list[str]:
    if not storage.exists(""):
        return []
    return sorted(
        n for n in storage.listdir("")[1] if n.startswith(_PREFIX) and n.endswith(_SUFFIX)
    )


def _cutover_problem(checkpoint: Checkpoint, legacy_until: int, national_until: int) -> str:
    if checkpoint.legacy_until != legacy_until:
        return (
            f"bascule des sceaux modifiée : la base la place au n° {legacy_until}, "
            f"le point d'ancrage « {checkpoint.name} » au n° {checkpoint.legacy_until}"
        )
    if checkpoint.national_until not in (None, national_until):
        return (
            f"bascule en chaînes modifiée : la base la place au n° {national_until}, "
            f"le point d'ancrage « {checkpoint.name} » au n° {checkpoint.national_until}"
        )
    return ""


def _heads_problems(checkpoint: Checkpoint) -> list[JournalBreak]:
    """Each head the checkpoint attests must be the entry it names: one query for them all."""
    found = {(chain, sequence): rest for chain, sequence, *rest in _lookup(checkpoint.heads)}
    problems = []
    for head in checkpoint.heads:
        entry_id, seal, last = found[(head.chain, head.sequence)]
        if entry_id is None:
            missing = head.sequence if (last or 0) >= head.sequence else (last or 0) + 1
            reason = (
                f"entrée n° {missing} absente : le point d'ancrage « {checkpoint.name} » du "
                f"{timezone.localtime(checkpoint.anchored_at):%d/%m/%Y à %H:%M} atteste "
                f"l'entrée n° {head.sequence}"
            )
            problems.append(JournalBreak(None, missing, reason, head.chain))
        elif entry_id != head.entry_id or seal != head.seal:
            reason = f"ne correspond pas au point d'ancrage « {checkpoint.name} »"
            problems.append(JournalBreak(entry_id, head.sequence, reason, head.chain))
    return problems


def _lookup(heads: list[AnchoredHead]) -> list[tuple[Any, ...]]:
    """(chain, sequence, id, seal, last sequence of the chain) for each head: the entry is None
    when it is missing."""
    table = JournalEntry._meta.db_table
    if connection.vendor == "postgresql":
        source = "(SELECT unnest(%s::bigint[]) AS chain, unnest(%s::bigint[]) AS seq)"
        params: list[Any] = [[h.chain for h in heads], [h.sequence for h in heads]]
    else:
        source = (
            "(SELECT json_extract(value, '$[0]') AS chain, json_extract(value, '$[1]') AS seq "
            "FROM json_each(%s))"
        )
        params = [json.dumps([[h.chain, h.sequence] for h in heads])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.chain, h.seq, e.id, e.entry_hash, "  # noqa: S608
            f"(SELECT max(m.sequence) FROM {table} m WHERE m.chain = h.chain) "
            f"FROM {source} h LEFT JOIN {table} e ON e.chain = h.chain AND e.sequence = h.seq",
            params,
        )
        return list(cursor.fetchall())
