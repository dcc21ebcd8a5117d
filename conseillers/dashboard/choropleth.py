"""A choropleth map of France laid out in Python and printed as inline SVG by the template.

The outlines are those of the State's chart library, @gouvfr/dsfr-chart 2.0.4 (MIT licence, see
`geometry/LICENSE-dsfr-chart`): already projected and simplified to whole units, so the page ships
them as they are and no script runs (CSP). Each territory is a link with its name and value, the
five overseas départements sit in insets, and the table of the page is the text alternative.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .columns import BY_KEY, Column, format_number
from .figures import Level, TerritoryRow

GEOMETRY = Path(__file__).with_name("geometry") / "france.json"
# Blue France, light to dark: five classes of equal width between the lowest and highest value.
PALETTE = ("#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091")
NO_VALUE = "#f6f6f6"
OUT_OF_SCOPE = "#dddddd"
# The insets' row under the mainland, in the mainland's units (its viewBox is 1010 wide).
INSET_TOP = 1010
INSET_SIZE = 190
INSET_GAP = 15
OVERSEAS = ("971", "972", "973", "974", "976")
# The overseas départements are régions of their own, with other codes.
OVERSEAS_REGIONS = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    label: str


# What the map can colour, in the order of the choice offered above it.
INDICATORS = (
    Indicator("pour_100k", "Conseillers en poste pour 100 000 habitants"),
    Indicator("accordes", "Postes accordés"),
    Indicator("occupes", "Postes occupés"),
    Indicator("vacants", "Postes vacants"),
    Indicator("en_attente", "Candidatures en attente"),
    Indicator("ecart", "Écart à la part proportionnelle (postes)"),
)
INDICATOR_KEYS = {indicator.key: indicator for indicator in INDICATORS}
DEFAULT_INDICATOR = "pour_100k"


@dataclass(frozen=True, slots=True)
class Shape:
    code: str
    name: str
    path: str
    fill: str
    # Empty for a territory outside the reader's scope: drawn, neither named nor linked.
    url: str
    value_text: str

    @property
    def title(self) -> str:
        return f"{self.name} : {self.value_text}"


@dataclass(frozen=True, slots=True)
class Inset:
    x: int
    view_box: str
    shape: Shape


@dataclass(frozen=True, slots=True)
class LegendItem:
    fill: str
    label: str


@dataclass(frozen=True, slots=True)
class Choropleth:
    title: str
    description: str
    indicator: Indicator
    shapes: tuple[Shape, ...]
    insets: tuple[Inset, ...]
    legend: tuple[LegendItem, ...]
    width: int = 1010
    height: int = INSET_TOP + INSET_SIZE + 40
    inset_top: int = INSET_TOP
    inset_size: int = INSET_SIZE


@functools.cache
def _geometry() -> dict:
    with GEOMETRY.open(encoding="utf-8") as file:
        return json.load(file)


def parse_indicator(key: str | None) -> Indicator:
    """An unknown indicator falls back to the default: a shared link never breaks."""
    return INDICATOR_KEYS.get(key or "", INDICATOR_KEYS[DEFAULT_INDICATOR])


def choropleth(
    level: Level,
    rows: Sequence[TerritoryRow],
    indicator: Indicator,
    url_for: Callable[[TerritoryRow], str],
) -> Choropleth:
    """Départements at the département level, régions otherwise (the nation is one région map).

    Territories outside the reader's scope are drawn in grey as a backdrop, unnamed: a préfecture
    reads nothing of the others on its page.
    """
    column = BY_KEY[indicator.key]
    by_code = {row.code: row for row in rows}
    scale = _Classes.of([v for row in rows if (v := column.number(row)) is not None])
    shape = functools.partial(_shape, column=column, scale=scale, by_code=by_code, url_for=url_for)
    geometry = _geometry()
    mainland = geometry["metropole"]["departements" if level is Level.DEPARTEMENT else "regions"]
    overseas = geometry["outre_mer"]
    noun = "département" if level is Level.DEPARTEMENT else "région"
    insets = tuple(
        Inset(
            x=index * (INSET_SIZE + INSET_GAP),
            view_box=overseas[code]["viewBox"],
            shape=shape(_code(level, code), overseas[code]["d"]),
        )
        for index, code in enumerate(OVERSEAS)
    )
    return Choropleth(
        title=f"Carte : {indicator.label.lower()}, par {noun}",
        description=f"Chaque {noun} est coloré selon sa valeur, du plus clair (la plus basse) au "
        "plus foncé (la plus haute), et mène à sa page ; les départements d'outre-mer sont en "
        "encart sous la carte. Les valeurs exactes figurent dans le tableau de la page.",
        indicator=indicator,
        shapes=tuple(shape(code, path) for code, path in sorted(mainland.items())),
        insets=insets,
        legend=scale.legend(column),
    )


def _code(level: Level, departement: str) -> str:
    return departement if level is Level.DEPARTEMENT else OVERSEAS_REGIONS[departement]


def _shape(
    code: str,
    path: str,
    *,
    column: Column,
    scale: _Classes,
    by_code: dict[str, TerritoryRow],
    url_for: Callable[[TerritoryRow], str],
) -> Shape:
    row = by_code.get(code)
    if row is None:
        return Shape(code, "", path, OUT_OF_SCOPE, "", "")
    value = column.number(row)
    return Shape(
        code=code,
        name=row.name,
        path=path,
        fill=NO_VALUE if value is None else PALETTE[scale.index(value)],
        url=url_for(row),
        value_text=f"{column.display(row) or 'non disponible'} ({column.label.lower()})",
    )


@dataclass(frozen=True, slots=True)
class _Classes:
    low: Fraction
    high: Fraction

    @classmethod
    def of(cls, values: Sequence[Fraction]) -> _Classes:
        return cls(min(values, default=Fraction(0)), max(values, default=Fraction(0)))

    @property
    def step(self) -> Fraction:
        return (self.high - self.low) / len(PALETTE)

    def index(self, value: Fraction) -> int:
        if not self.step:
            return len(PALETTE) - 1
        return min(int((value - self.low) / self.step), len(PALETTE) - 1)

    def legend(self, column: Column) -> tuple[LegendItem, ...]:
        def text(value: Fraction) -> str:
            return format_number(value, column.decimals, signed=column.signed)

        if not self.step:
            items = [LegendItem(PALETTE[-1], text(self.high))]
        else:
            items = [
                LegendItem(
                    fill,
                    f"de {text(self.low + self.step * i)} à {text(self.low + self.step * (i + 1))}",
                )
                for i, fill in enumerate(PALETTE)
            ]
        return (*items, LegendItem(NO_VALUE, "non disponible"))
