"""Keyset ("cursor") pagination, for the lists that grow with the programme.

A page is found from the values of the row it starts after, never by counting the rows before it:
with an index on the ordering, reading the thousandth page costs what reading the first one does,
and nothing counts the whole list. The cursor is an opaque token carrying those values and the
direction; the pages of the site (`core.listing`) and the API (`core.api.pagination`) share it.

The ordering must end with the primary key, so that every row has one position.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

FORWARD, BACKWARD = "n", "p"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    values: tuple[Any, ...]
    direction: str = FORWARD

    def encode(self) -> str:
        payload = json.dumps([self.direction, [_plain(v) for v in self.values]])
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, width: int) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            direction, values = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidCursor(token) from exc
        if direction not in (FORWARD, BACKWARD) or not isinstance(values, list):
            raise InvalidCursor(token)
        if len(values) != width or not all(_storable(v) for v in values):
            raise InvalidCursor(token)
        return cls(tuple(values), direction)


def _storable(value: Any) -> bool:
    """What the database can compare without an error: a forged token must not become a 500."""
    if isinstance(value, str):
        return "\x00" not in value and len(value) <= 1000
    return isinstance(value, int) and -(2**63) <= value < 2**63


def _plain(value: Any) -> str | int:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


@dataclass(frozen=True, slots=True)
class KeysetPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def ordering_of(queryset: QuerySet) -> tuple[str, ...]:
    """The queryset's own ordering, ended with the primary key in the last field's direction."""
    fields = tuple(field for field in queryset.query.order_by if isinstance(field, str))
    if not fields or len(fields) != len(queryset.query.order_by):
        raise ValueError("keyset pagination needs an explicit ordering on fields")
    if fields[-1].lstrip("-") not in ("pk", "id"):
        fields += ("-pk" if fields[-1].startswith("-") else "pk",)
    return fields


def paginate(queryset: QuerySet, *, size: int, cursor: str | None) -> KeysetPage:
    """One page of `queryset` (ordered by `ordering_of`) after, or before, the cursor's row.

    Raises InvalidCursor for a token this list did not write."""
    ordering = ordering_of(queryset)
    queryset = queryset.order_by(*ordering)  # the key ends every ordering: ties have an order
    position = Cursor.decode(cursor, len(ordering)) if cursor else None
    if position is not None and position.direction == BACKWARD:
        rows = list(_after(queryset, _reversed(ordering), position.values)[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows,
            next_cursor=_cursor(rows[-1], ordering, FORWARD) if rows else None,
            previous_cursor=_cursor(rows[0], ordering, BACKWARD) if rows and more_before else None,
        )
    start = queryset if position is None else _after(queryset, ordering, position.values)
    rows = list(start[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        next_cursor=_cursor(rows[-1], ordering, FORWARD) if more_after else None,
        previous_cursor=_cursor(rows[0], ordering, BACKWARD) if rows and position else None,
    )


def _reversed(ordering: Sequence[str]) -> tuple[str, ...]:
    return tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)


def _after(queryset: QuerySet, ordering: Sequence[str], values: Sequence[Any]) -> QuerySet:
    """Rows strictly after `values` in `ordering`. The first field's bound is repeated on its own
    (`a >= x AND (a > x OR (a = x AND b > y))`): that one an index range scan can start from."""
    try:
        return _filter_after(queryset, ordering, values)
    except (ValueError, TypeError, ValidationError) as exc:
        # A forged token (a word where the key is a number): refused like any other bad cursor.
        raise InvalidCursor(str(values)) from exc


def _filter_after(queryset: QuerySet, ordering: Sequence[str], values: Sequence[Any]) -> QuerySet:
    names = [f.lstrip("-") for f in ordering]
    ops = ["lt" if f.startswith("-") else "gt" for f in ordering]
    after = Q()
    for depth in range(len(ordering)):
        equal = {names[i]: values[i] for i in range(depth)}
        after |= Q(**equal, **{f"{names[depth]}__{ops[depth]}": values[depth]})
    first_bound = {f"{names[0]}__{ops[0][0]}te": values[0]}
    return queryset.filter(Q(**first_bound), after).order_by(*ordering)


def _cursor(row: Model, ordering: Sequence[str], direction: str) -> str:
    values = tuple(getattr(row, field.lstrip("-")) for field in ordering)
    return Cursor(values, direction).encode()
