"""The charts of the statistics page, laid out here and printed as inline SVG (no script runs on
the pages): a column per day or month for the series, a bar per value for a distribution. The
figures themselves are in the table under each chart."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.utils.formats import date_format

from conseillers.dashboard.columns import format_number

# Narrow: on a phone the drawing keeps about its size, so its 12-unit text stays readable; the
# page lets it grow to one and a half times on a wide screen.
WIDTH = 360
VALUE_WIDTH = 70
# Each bar under its label, the whole width for the bar.
ROW_HEIGHT = 36
LABEL_HEIGHT = 14
BAR_HEIGHT = 14
TOP = 4
COLUMNS_HEIGHT = 140
AXIS_HEIGHT = 22
# At most this many labels under the columns, so that they never overlap.
AXIS_LABELS = 6


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int
    value_text: str
    share_text: str
    y: int
    width: int

    @property
    def label_y(self) -> int:
        return self.y + LABEL_HEIGHT - 3

    @property
    def bar_y(self) -> int:
        return self.y + LABEL_HEIGHT + 2

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 3

    @property
    def value_x(self) -> int:
        return self.width + 6


@dataclass(frozen=True, slots=True)
class BarChart:
    key: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int
    total: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    value_text: str
    x: int
    y: int
    width: int
    height: int
    # The label printed under the axis, from the column's left ("" when skipped: no overlap).
    axis_label: str


@dataclass(frozen=True, slots=True)
class ColumnChart:
    key: str
    title: str
    description: str
    columns: tuple[Column, ...]
    baseline: int
    height: int
    width: int = WIDTH


def share(value: int, total: int) -> str:
    return f"{format_number(Fraction(value * 100, total), 1)} %" if total else "—"


def bar_chart(key: str, title: str, items: list[tuple[str, int]], noun: str) -> BarChart:
    """One bar per item, longest first as given; the description names the largest."""
    room = WIDTH - VALUE_WIDTH
    high = max((value for _, value in items), default=0)
    total = sum(value for _, value in items)
    bars = tuple(
        Bar(
            label=label if len(label) <= 50 else label[:49] + "…",
            value=value,
            value_text=format_number(value),
            share_text=share(value, total),
            y=TOP + index * ROW_HEIGHT,
            width=(value * room // high) if high else 0,
        )
        for index, (label, value) in enumerate(items)
    )
    first = max(items, key=lambda item: item[1], default=None)
    lead = (
        f"La valeur la plus fréquente est « {first[0]} » ({format_number(first[1])} {noun}, "
        f"{share(first[1], total)})."
        if first and first[1]
        else "Aucune donnée sur la période."
    )
    return BarChart(
        key=key,
        title=title,
        description=f"{len(items)} barres horizontales. {lead} Les valeurs exactes sont dans le "
        "tableau qui suit.",
        bars=bars,
        height=TOP * 2 + ROW_HEIGHT * max(len(items), 1),
        total=total,
    )


def column_chart(
    key: str, title: str, points: list[tuple[datetime.date, int]], *, by_day: bool
) -> ColumnChart:
    """One column per day or month, in time order."""
    high = max((value for _, value in points), default=0)
    slot = WIDTH / max(len(points), 1)
    width = max(int(slot * 0.7), 1)
    step = -(-len(points) // AXIS_LABELS)  # ceiling division
    columns = []
    for index, (day, value) in enumerate(points):
        height = (value * COLUMNS_HEIGHT // high) if high else 0
        columns.append(
            Column(
                label=_bucket_label(day, by_day),
                value_text=format_number(value),
                x=int(index * slot + (slot - width) / 2),
                y=TOP + COLUMNS_HEIGHT - height,
                width=width,
                height=height,
                axis_label=_axis_label(day, by_day) if index % step == 0 else "",
            )
        )
    busiest = max(points, key=lambda point: point[1], default=None)
    unit = "jour" if by_day else "mois"
    lead = (
        f"Le maximum est atteint {_when(busiest[0], by_day)} ({format_number(busiest[1])})."
        if busiest and busiest[1]
        else "Aucun accompagnement sur la période."
    )
    return ColumnChart(
        key=key,
        title=title,
        description=f"Une colonne par {unit}, {len(points)} au total. {lead} Les valeurs exactes "
        "sont dans le tableau qui suit.",
        columns=tuple(columns),
        baseline=TOP + COLUMNS_HEIGHT,
        height=TOP + COLUMNS_HEIGHT + AXIS_HEIGHT,
    )


def _bucket_label(day: datetime.date, by_day: bool) -> str:
    return date_format(day, "l j F Y" if by_day else "F Y")


def _axis_label(day: datetime.date, by_day: bool) -> str:
    return date_format(day, "j/m" if by_day else "M y")


def _when(day: datetime.date, by_day: bool) -> str:
    return f"le {date_format(day, 'j F Y')}" if by_day else f"en {date_format(day, 'F Y')}"
