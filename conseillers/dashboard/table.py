"""The table a person reads, sorted on the server: the same cells on the page and in the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from .columns import BY_KEY, MISSING, Column, columns_for, default_sort, sort_rows
from .figures import Level, TerritoryRow
from .selectors import Dashboard

ASCENDING = "asc"
DESCENDING = "desc"


@dataclass(frozen=True, slots=True)
class Sort:
    level: Level
    key: str
    descending: bool

    @classmethod
    def parse(cls, level: Level, key: str | None, order: str | None) -> Sort:
        """An unknown column or order falls back to the default: a shared link never breaks."""
        if key not in {column.key for column in columns_for(level)}:
            key = default_sort(level)
        return cls(level=level, key=key, descending=order == DESCENDING)

    @property
    def order(self) -> str:
        return DESCENDING if self.descending else ASCENDING

    def query(self, **changes: str) -> str:
        params = {"niveau": self.level.value, "tri": self.key, "ordre": self.order} | changes
        return "?" + urlencode(params)


@dataclass(frozen=True, slots=True)
class Header:
    key: str
    label: str
    url: str
    # aria-sort of the sorted column ("ascending" / "descending"), empty on the others.
    aria_sort: str
    next_order_label: str
    numeric: bool


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    is_row_header: bool
    numeric: bool


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    headers: tuple[Header, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: tuple[Cell, ...] | None


def build_table(dashboard: Dashboard, sort: Sort, *, caption: str) -> Table:
    columns = columns_for(sort.level)
    ordered = sorted_rows(dashboard, sort)
    total = None if sort.level is Level.NATIONAL else _cells(columns, dashboard.nation)
    return Table(
        caption=caption,
        headers=tuple(_header(column, sort) for column in columns),
        rows=tuple(_cells(columns, row) for row in ordered),
        total=total,
    )


def sorted_rows(dashboard: Dashboard, sort: Sort) -> list[TerritoryRow]:
    return sort_rows(dashboard.rows(sort.level), BY_KEY[sort.key], descending=sort.descending)


def _header(column: Column, sort: Sort) -> Header:
    current = column.key == sort.key
    descending_next = current and not sort.descending
    aria_sort = ("descending" if sort.descending else "ascending") if current else ""
    return Header(
        key=column.key,
        label=column.header(sort.level),
        url=sort.query(tri=column.key, ordre=DESCENDING if descending_next else ASCENDING),
        aria_sort=aria_sort,
        next_order_label="trier par ordre décroissant"
        if descending_next
        else "trier par ordre croissant",
        numeric=not column.is_text,
    )


def _cells(columns: tuple[Column, ...], row: TerritoryRow) -> tuple[Cell, ...]:
    return tuple(
        Cell(
            text=column.display(row) or ("" if column.is_text else MISSING),
            is_row_header=column.key == "nom",
            numeric=not column.is_text,
        )
        for column in columns
    )


def csv_records(dashboard: Dashboard, sort: Sort) -> list[list[str]]:
    """Header line, sorted rows, then the total: decimal comma, no thousands separator."""
    columns = columns_for(sort.level)
    rows = sorted_rows(dashboard, sort)
    if sort.level is not Level.NATIONAL:
        rows.append(dashboard.nation)
    return [
        [column.header(sort.level) for column in columns],
        *([column.display(row, grouping=False) for column in columns] for row in rows),
    ]
