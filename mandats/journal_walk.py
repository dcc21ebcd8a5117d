"""verify_journal's walk of every chain of the journal, in parallel on PostgreSQL.

The (chain, sequence) order is cut into contiguous segments of about the same number of entries
(a long chain is cut too: a segment starting inside a chain starts from the entry just before
it). Each segment is streamed through a server-side cursor by one process of a pool: memory stays
one fetch per process, whatever the journal's size. Each process checks links and seals; the
first break of each chain is kept.
"""

from __future__ import annotations

import itertools
import json
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction

from mandats import journal_sql, journal_walker
from mandats.journal_chain import (
    CHAIN,
    CREATED_AT,
    DETAILS,
    ID,
    ROW_COLUMNS,
    SEQUENCE,
    ChainCheck,
    Row,
)
from mandats.models import JournalBreak, JournalChainCutover, JournalEntry, JournalSealCutover

FETCH_ROWS = 5000
# Below this, a segment costs more to start than to walk.
MIN_SEGMENT_ROWS = 50_000
# Segments per process: a process that finishes early takes another.
SEGMENTS_PER_WORKER = 4

Cut = tuple[int, int]  # (chain, sequence): a segment covers the keys after its lower cut


@dataclass(frozen=True)
class WalkResult:
    rows: int
    chains: int
    breaks: list[JournalBreak]


def chain_heads() -> list[tuple[int, int]]:
    """(chain, last sequence) of every chain, in order: an index probe per chain (a loose index
    scan), never a read of the entries."""
    table = JournalEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE c(chain) AS (SELECT min(chain) FROM {table} "  # noqa: S608
            f"UNION ALL SELECT (SELECT min(e.chain) FROM {table} e WHERE e.chain > c.chain) "
            "FROM c WHERE c.chain IS NOT NULL) "
            f"SELECT c.chain, (SELECT max(m.sequence) FROM {table} m WHERE m.chain = c.chain) "
            "FROM c WHERE c.chain IS NOT NULL"
        )
        return [(chain, head) for chain, head in cursor.fetchall()]


def plan(heads: list[tuple[int, int]], parts: int) -> list[tuple[Cut | None, Cut | None]]:
    """Contiguous segments of about total/parts entries covering every key, the first and last
    open-ended (a row beyond a head, or of a chain created meanwhile, still belongs to one)."""
    size = max(MIN_SEGMENT_ROWS, math.ceil(sum(head for _, head in heads) / max(parts, 1)))
    cuts: list[Cut] = []
    filled = 0
    for chain, head in heads:
        position = 0
        while filled + (head - position) >= size:
            position += size - filled
            cuts.append((chain, position))
            filled = 0
        filled += head - position
    bounds: list[Cut | None] = [None, *cuts, None]
    return list(itertools.pairwise(bounds))


def walk(*, workers: int) -> WalkResult:
    legacy_until = JournalSealCutover.legacy_until()
    national_until = JournalChainCutover.national_until()
    # Other processes cannot see what the caller has not committed: inside a transaction (the
    # tests), or on SQLite (the demo), the walk stays in this process.
    if workers <= 1 or connection.in_atomic_block or connection.vendor != "postgresql":
        return walk_segment(None, None, legacy_until, national_until)
    jobs = [
        (lo, hi, legacy_until, national_until)
        for lo, hi in plan(chain_heads(), workers * SEGMENTS_PER_WORKER)
    ]
    # Each walker starts afresh (spawn), told which database and keys to use: a forked copy of a
    # process that runs threads (a web server, the tests' browser driver) can crash in the C
    # libraries whose locks a thread held at the fork.
    start = (dict(connection.settings_dict), dict(settings.JOURNAL_SEAL_KEYS))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=journal_walker.start, initargs=start
    ) as pool:
        results = list(pool.map(_walk_job, jobs))
    return _merge(results)


def _walk_job(job: tuple[Cut | None, Cut | None, int, int]) -> WalkResult:
    return walk_segment(*job)


def _merge(results: list[WalkResult]) -> WalkResult:
    first: dict[int, JournalBreak] = {}
    for found in (b for result in results for b in result.breaks):
        known = first.get(found.chain)
        if known is None or found.sequence < known.sequence:
            first[found.chain] = found
    # A chain cut across segments is counted in each: count the chains once.
    return WalkResult(
        rows=sum(r.rows for r in results),
        chains=len(chain_heads()),
        breaks=[first[chain] for chain in sorted(first)],
    )


def walk_segment(
    lo: Cut | None, hi: Cut | None, legacy_until: int, national_until: int
) -> WalkResult:
    """Walks the entries after `lo` up to `hi` included, in (chain, sequence) order."""
    conditions: list[str] = []
    params: list[int] = []
    if lo is not None:
        conditions.append("(chain, sequence) > (%s, %s)")
        params += lo
    if hi is not None:
        conditions.append("(chain, sequence) <= (%s, %s)")
        params += hi
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    walker = _SegmentWalker(
        lo, ChainCheck(legacy_until=legacy_until, national_until=national_until)
    )
    # In a transaction, the server-side cursor streams (WITHOUT HOLD): in autocommit PostgreSQL
    # would first copy the whole result aside.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary rows: the driver decodes datetimes and JSON in C, not by parsing text.
            sql, params = journal_sql.sealed_rows(where, params, national_until)
            cursor.cursor.execute(sql, params, binary=True)
            while rows := cursor.fetchmany(FETCH_ROWS):
                for row in rows:
                    walker.visit_sealed(row)
        else:
            cursor.execute(
                f"SELECT {_select_list()} FROM {JournalEntry._meta.db_table} "  # noqa: S608
                f"{where} ORDER BY chain, sequence",
                params,
            )
            while rows := cursor.fetchmany(FETCH_ROWS):
                for row in rows:
                    walker.visit(row)
    return WalkResult(walker.rows, walker.chains, walker.breaks)


class _SegmentWalker:
    def __init__(self, lo: Cut | None, check: ChainCheck) -> None:
        self.lo = lo
        self.check = check
        self.current: int | None = None
        self.broken = False
        self.rows = self.chains = 0
        self.breaks: list[JournalBreak] = []

    def visit(self, row: Row) -> None:
        self._count(row := decoded(row))
        if not self.broken:  # the first break of a chain is what the report names
            self._report(row, self.check.problem(row))

    def visit_sealed(self, row: Row) -> None:
        """A row of `journal_sql.sealed_rows`: the entry's canonical form as the database wrote
        it, or, where it could not, the entry's columns for Python to write it."""
        payload = row[journal_sql.PAYLOAD]
        if payload is None:
            self._count(entry := journal_sql.entry_row(row[journal_sql.COLUMNS]))
            if not self.broken:
                self._report(entry, self.check.problem(entry))
            return
        _, chain, sequence, previous_hash, entry_hash, key_id = row[: journal_sql.PAYLOAD]
        self._count(row)
        if self.broken or self.check.sealed_ok(
            sequence, previous_hash, entry_hash, key_id, payload.encode()
        ):
            return
        # The database's form is a shortcut, not the rule: what is wrong, if anything, is told by
        # the check of the entry's row, on the form Python writes.
        full = _row_at(chain, sequence)
        if full is None:
            self._report(row, "entrée absente")
        else:
            self._report(full, self.check.problem(full))

    def _count(self, row: Row) -> None:
        self.rows += 1
        if row[CHAIN] != self.current:
            self._start(row[CHAIN])

    def _report(self, row: Row, reason: str | None) -> None:
        if reason is not None:
            self.breaks.append(JournalBreak(row[ID], row[SEQUENCE], reason, row[CHAIN]))
            self.broken = True

    def _start(self, chain: int) -> None:
        self.current, self.broken, self.chains = chain, False, self.chains + 1
        if self.lo is None or self.lo[0] != chain or self.lo[1] < 1:
            self.check.start(chain)
            return
        before = _row_at(*self.lo)
        if before is None:
            reason = f"entrée n° {self.lo[1]} absente"
            self.breaks.append(JournalBreak(None, self.lo[1], reason, chain))
            self.broken = True
        self.check.start(chain, after=before)


def _row_at(chain: int, sequence: int) -> Row | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_select_list()} FROM {JournalEntry._meta.db_table} "  # noqa: S608
            "WHERE chain = %s AND sequence = %s",
            [chain, sequence],
        )
        row = cursor.fetchone()
    return None if row is None else decoded(row)


def _select_list() -> str:
    if connection.vendor != "postgresql":
        return ", ".join(ROW_COLUMNS)
    # Most entries have no details: their JSON is not decoded at all (see `decoded`).
    details = "CASE WHEN details = '{}'::jsonb THEN '{}' ELSE details::text END"
    return ", ".join(details if name == "details" else name for name in ROW_COLUMNS)


def decoded(row: Row) -> Row:
    """A raw row as the ORM would give it: Django has the drivers hand JSON over as text (it
    decodes in the field), and SQLite datetimes naive (in UTC)."""
    details, created_at = row[DETAILS], row[CREATED_AT]
    if isinstance(details, str) or created_at.tzinfo is None:
        row = list(row)
        if isinstance(details, str):
            row[DETAILS] = {} if details == "{}" else json.loads(details)
        row[CREATED_AT] = (
            created_at.replace(tzinfo=UTC) if created_at.tzinfo is None else created_at
        )
    return row
