"""The payment forecast as a horizontal bar chart, laid out here and printed as inline SVG.

No script runs on the pages (CSP): the geometry is computed in whole SVG units and the template only
prints it. The exact figures are in the table that follows the chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from conseillers.subsidy.math import euros

WIDTH = 760
LABEL_WIDTH = 130
VALUE_WIDTH = 120
ROW_HEIGHT = 22
BAR_HEIGHT = 14
TOP = 8


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value_text: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True, slots=True)
class ForecastChart:
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def forecast_chart(months: list[tuple[datetime.date, str, int]], scope: str) -> ForecastChart:
    """One bar per month: the tranches still to pay that fall due that month (overdue ones count
    in the current month)."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    high = max((amount for _, _, amount in months), default=0)
    bars = tuple(
        Bar(
            label=name,
            value_text=euros(amount),
            y=TOP + index * ROW_HEIGHT,
            width=(amount * room // high) if high else 0,
        )
        for index, (_, name, amount) in enumerate(months)
    )
    busiest = max(months, key=lambda month: month[2], default=None)
    lead = (
        f"Le mois le plus chargé est {busiest[1]} ({euros(busiest[2])})."
        if busiest and busiest[2]
        else "Aucun paiement n'est prévu sur la période."
    )
    return ForecastChart(
        title=f"Prévision des paiements de subventions par mois — {scope}",
        description=f"Une barre par mois sur {len(months)} mois, à partir du mois en cours (qui "
        f"compte aussi les tranches en retard). {lead} Les montants exacts figurent dans le "
        "tableau par mois.",
        bars=bars,
        height=TOP * 2 + ROW_HEIGHT * len(months),
    )
