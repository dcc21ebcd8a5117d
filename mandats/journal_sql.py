"""The canonical form of journal entries, written by PostgreSQL for `verify_journal`.

Writing an entry's canonical form in Python (decoding its date and its JSON, encoding them again)
costs more than checking its seal. PostgreSQL writes the same bytes for the usual entry, in C,
while it reads the rows: Python is left with one HMAC and two comparisons per entry.

The database's form is a shortcut, never the rule: it is written only where the rule is simple
(entries of the current form, details of plain values), every other entry comes with its columns
and is written by Python (`journal_chain.canonical`), and a seal that does not match the
database's form is checked again on Python's before anything is reported (`journal_walk`). A
difference between the two can make verification slower, never wrong.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from mandats.journal_chain import (
    CREATED_AT,
    JOURNAL_HASH_VERSION,
    NATIONAL_CHAIN,
    ROW_COLUMNS,
    Row,
)
from mandats.models import JournalEntry

# The columns of a row of `sealed_rows`: the link, the seal, the payload, then the entry's
# columns as a JSON object, only where there is no payload.
LINK_COLUMNS = ("id", "chain", "sequence", "previous_hash", "entry_hash", "seal_key_id")
PAYLOAD = len(LINK_COLUMNS)
COLUMNS = PAYLOAD + 1


def _json_string(column: str) -> str:
    # to_json escapes as Python's json module does with ensure_ascii=False.
    return f"to_json({column})::text"


def _json_number(column: str) -> str:
    return f"coalesce({column}::text, 'null')"


# An ISO 8601 date in UTC exactly as datetime.isoformat() writes it: microseconds only when
# there are some (a fraction of zeros can only be the last part of the text).
_CREATED_AT = (
    "replace(to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
    "'.000000', '') || '+00:00'"
)

# Details sorted by key (code points, as sort_keys), without spaces; NULL (Python writes them)
# when a value is a list or an object. One pass over the keys, and none for empty details.
_DETAILS = (
    "CASE WHEN details = '{}'::jsonb THEN '{}' "
    "WHEN jsonb_typeof(details) <> 'object' THEN NULL "
    "ELSE (SELECT CASE WHEN bool_or(jsonb_typeof(d.value) IN ('object', 'array')) THEN NULL "
    "ELSE '{' || string_agg(to_json(d.key)::text || ':' || d.value::text, ',' "
    "ORDER BY d.key COLLATE \"C\") || '}' END FROM jsonb_each(details) d) END"
)

_PARTS = [
    str(JOURNAL_HASH_VERSION),
    _json_string("seal_key_id"),
    "chain::text",
    "sequence::text",
    _json_string(f"({_CREATED_AT})"),
    _json_string("action"),
    _json_number("actor_id"),
    _json_number("organisation_id"),
    _json_number("usager_id"),
    _json_string("usager_ref"),
    _json_number("mandat_id"),
    _json_number("autorisation_id"),
    _json_string("demarche"),
    "({details})",
    _json_string("previous_hash"),
]


def sealed_rows(where: str, params: list[Any], national_until: int) -> tuple[str, list[Any]]:
    """The rows of a segment of the journal, in (chain, sequence) order, each with its canonical
    form (or NULL and its columns)."""
    body = " || ',' || ".join(_PARTS).replace("{details}", _DETAILS)
    # The entries of the former single chain have their own form, and the unkeyed ones too.
    payload = (
        f"CASE WHEN (chain = {NATIONAL_CHAIN} AND sequence <= %s) OR seal_key_id = '' "
        f"THEN NULL ELSE '[' || {body} || ']' END"
    )
    # The entry's columns travel as one JSON object, decoded only for the rows without payload.
    columns = "CASE WHEN payload IS NULL THEN row_to_json(e)::text END"
    # OFFSET 0 keeps the payload a computed column: inlined, it would be written again by each
    # column that tests it.
    sql = (
        f"SELECT {', '.join(LINK_COLUMNS)}, payload, {columns} "  # noqa: S608
        f"FROM {JournalEntry._meta.db_table} AS e "
        f"CROSS JOIN LATERAL (SELECT {payload} AS payload OFFSET 0) AS p "
        f"{where} ORDER BY chain, sequence"
    )
    return sql, [national_until, *params]


def entry_row(columns: str) -> Row:
    """The entry of a row without payload, in `ROW_COLUMNS` order, as the ORM would give it."""
    values = json.loads(columns)
    row = [values[name] for name in ROW_COLUMNS]
    row[CREATED_AT] = datetime.fromisoformat(row[CREATED_AT])
    return row
