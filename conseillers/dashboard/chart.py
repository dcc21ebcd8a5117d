"""A horizontal bar chart laid out in Python and drawn as inline SVG by the template.

No script may run on the page (CSP), so the geometry is computed here, in whole SVG units, and the
template only prints it. Negative values grow to the left of the zero axis, so the sign never rests
on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .columns import BY_KEY, Column
from .figures import Level, TerritoryRow

WIDTH = 760
LABEL_WIDTH = 230
VALUE_WIDTH = 70
GAP = 4
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 8
BOTTOM = 8


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value_text: str
    y: int
    x: int
    width: int
    negative: bool
    value_x: int
    value_anchor: str

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    description: str
    bars: tuple[Bar, ...]
    zero_x: int
    height: int
    reference_x: int | None = None
    reference_label: str = ""
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_height: int = BAR_HEIGHT

    @property
    def axis_bottom(self) -> int:
        return self.height - BOTTOM


def chart_for(
    level: Level, rows: Sequence[TerritoryRow], regions: Sequence[TerritoryRow], total: TerritoryRow
) -> BarChart:
    """Deviation from the proportional share per département; conseillers per 100,000 per région."""
    if level is Level.DEPARTEMENT:
        return _chart(
            BY_KEY["ecart"],
            rows,
            title="Écart des postes accordés à la répartition proportionnelle, par département",
            lead="Une barre par département, dans l'ordre du tableau ; à droite de l'axe, le "
            "département a reçu plus que sa part proportionnelle à sa population, à gauche moins.",
        )
    return _chart(
        BY_KEY["pour_100k"],
        rows if level is Level.REGION else regions,
        title="Conseillers numériques en poste pour 100 000 habitants, par région",
        lead="Une barre par région ; le trait vertical marque la valeur de l'ensemble du "
        f"périmètre ({BY_KEY['pour_100k'].display(total)}).",
        reference=total,
    )


def _chart(
    column: Column,
    rows: Sequence[TerritoryRow],
    *,
    title: str,
    lead: str,
    reference: TerritoryRow | None = None,
) -> BarChart:
    values = [column.number(row) for row in rows]
    reference_value = column.number(reference) if reference else None
    known = [value for value in values if value is not None]
    low = min([Fraction(0), *known])
    high = max([Fraction(0), *known, *([] if reference_value is None else [reference_value])])
    scale = _Scale(low=low, high=high)
    bars = tuple(
        _bar(row, column, value, index, scale)
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    )
    return BarChart(
        title=title,
        description=f"{lead} {_extremes(column, rows)} Les valeurs exactes figurent dans le "
        "tableau qui suit.",
        bars=bars,
        zero_x=scale.x(Fraction(0)),
        height=TOP + ROW_HEIGHT * len(rows) + BOTTOM,
        reference_x=None if reference_value is None else scale.x(reference_value),
        reference_label=reference.name if reference else "",
    )


@dataclass(frozen=True, slots=True)
class _Scale:
    low: Fraction
    high: Fraction

    def x(self, value: Fraction | int) -> int:
        # Room for the value texts on the left only when some bar grows to the left.
        left = LABEL_WIDTH + (VALUE_WIDTH if self.low < 0 else GAP)
        span = (self.high - self.low) or Fraction(1)
        plot = WIDTH - left - VALUE_WIDTH
        return round(left + (Fraction(value) - self.low) * plot / span)


def _bar(
    row: TerritoryRow, column: Column, value: Fraction | None, index: int, scale: _Scale
) -> Bar:
    zero = scale.x(Fraction(0))
    end = zero if value is None else scale.x(value)
    negative = value is not None and value < 0
    return Bar(
        label=row.name,
        value_text=column.display(row) or "non disponible",
        y=TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
        x=min(zero, end),
        width=abs(end - zero),
        negative=negative,
        value_x=end - 4 if negative else end + 4,
        value_anchor="end" if negative else "start",
    )


def _extremes(column: Column, rows: Sequence[TerritoryRow]) -> str:
    known = [(value, row) for row in rows if (value := column.number(row)) is not None]
    if not known:
        return "Aucune valeur n'est encore disponible."
    top = max(known, key=lambda pair: pair[0])[1]
    bottom = min(known, key=lambda pair: pair[0])[1]
    return (
        f"Valeur la plus haute : {top.name} ({column.display(top)}) ; "
        f"la plus basse : {bottom.name} ({column.display(bottom)})."
    )
