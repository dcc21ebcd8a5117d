"""The columns of the dashboard table: one definition read by the page, the sorting and the CSV.

A column knows its `?tri=` key, its French header, how to read its exact value from a row and how
many decimals to show; sorting uses the exact value, display rounds half up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils import formats

from .figures import Level, TerritoryRow

Value = str | int | Fraction | None
ALL_LEVELS = frozenset(Level)
MISSING = "—"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    read: Callable[[TerritoryRow], Value]
    decimals: int = 0
    signed: bool = False
    levels: frozenset[Level] = ALL_LEVELS
    definition: str = ""

    @property
    def is_text(self) -> bool:
        return self.key in TEXT_KEYS

    def header(self, level: Level) -> str:
        if self.key == "nom":
            return NAME_HEADERS[level]
        return self.label

    def number(self, row: TerritoryRow) -> Fraction | None:
        """The exact value of a numeric column (the charts and the sorting compare these)."""
        value = self.read(row)
        if isinstance(value, str):
            raise TypeError(f"La colonne {self.key} n'est pas numérique.")
        return None if value is None else Fraction(value)

    def display(self, row: TerritoryRow, *, grouping: bool = True) -> str:
        """The value as a French reader expects it: decimal comma, grouped thousands."""
        value = self.read(row)
        if value is None or isinstance(value, str):
            return value or ""
        return format_number(value, self.decimals, signed=self.signed, grouping=grouping)


NAME_HEADERS = {
    Level.DEPARTEMENT: "Département",
    Level.REGION: "Région",
    Level.NATIONAL: "Territoire",
}
TEXT_KEYS = frozenset({"code", "nom", "region"})


def format_number(
    value: int | Fraction, decimals: int = 0, *, signed: bool = False, grouping: bool = True
) -> str:
    """French notation, rounded half up: 1 234,57; a leading + when `signed` and positive."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    number = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = formats.number_format(number, decimals, use_l10n=True, force_grouping=grouping)
    return f"+{text}" if signed and number > 0 else text


def _percent(share: Fraction | None) -> Fraction | None:
    return None if share is None else share * 100


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Code",
        lambda r: r.code,
        levels=frozenset({Level.DEPARTEMENT, Level.REGION}),
        definition="Code INSEE du département ou de la région.",
    ),
    Column("nom", "Nom", lambda r: r.name),
    Column(
        "region",
        "Région",
        lambda r: r.region_name,
        levels=frozenset({Level.DEPARTEMENT}),
        definition="Région du département.",
    ),
    Column(
        "population",
        "Population",
        lambda r: r.counts.population,
        definition="Population légale (somme des populations des communes).",
    ),
    Column(
        "enveloppe",
        "Enveloppe (postes)",
        lambda r: r.counts.envelope,
        definition="Postes de l'enveloppe départementale en vigueur (dernière décision de "
        "l'ANCT) ; pour une région ou le total, somme des enveloppes fixées. "
        "Vide si aucune enveloppe n'est fixée.",
    ),
    Column(
        "accordes",
        "Postes accordés",
        lambda r: r.counts.granted,
        definition="Somme des quotas en vigueur des candidatures validées (dernière décision "
        "positive du comité de sélection pour chacune).",
    ),
    Column(
        "coordinateurs_accordes",
        "Dont postes de coordinateur accordés",
        lambda r: r.counts.coordinator_granted,
        definition="Parmi les postes accordés, ceux de conseillers coordinateurs (dernière "
        "décision positive de chaque candidature validée).",
    ),
    Column(
        "occupes",
        "Postes occupés",
        lambda r: r.counts.occupied,
        definition="Mises en relation recrutées, validées ou en rupture déclarée : conseillers "
        "en poste.",
    ),
    Column(
        "coordinateurs_occupes",
        "Dont postes de coordinateur occupés",
        lambda r: r.counts.coordinator_occupied,
        definition="Parmi les postes occupés, ceux où un conseiller coordinateur est en poste.",
    ),
    Column(
        "vacants",
        "Postes vacants",
        lambda r: r.counts.vacant,
        definition="Postes déjà pourvus une fois et sans titulaire aujourd'hui (après une "
        "rupture validée ou la fin d'un contrat).",
    ),
    Column(
        "en_attente",
        "Candidatures en attente",
        lambda r: r.counts.waiting,
        definition="Candidatures ni validées ni refusées : créées ou en examen complémentaire.",
    ),
    Column(
        "attente_max",
        "Attente la plus longue (jours)",
        lambda r: r.longest_wait_days,
        definition="Jours entiers écoulés depuis le dépôt de la plus ancienne candidature en "
        "attente.",
    ),
    Column(
        "attente_moyenne",
        "Attente moyenne (jours)",
        lambda r: r.mean_wait_days,
        decimals=1,
        definition="Moyenne des durées écoulées depuis le dépôt des candidatures en attente.",
    ),
    Column(
        "pour_100k",
        "Conseillers pour 100 000 habitants",
        lambda r: r.conseillers_per_100k,
        decimals=2,
        definition="Postes occupés × 100 000 ÷ population.",
    ),
    Column(
        "part_zrr",
        "Part des postes accordés en ZRR (%)",
        lambda r: _percent(r.zrr_share),
        decimals=1,
        definition="Postes accordés à des structures situées en zone de revitalisation rurale "
        "÷ postes accordés.",
    ),
    Column(
        "part_qpv",
        "Part des postes accordés en QPV (%)",
        lambda r: _percent(r.qpv_share),
        decimals=1,
        definition="Postes accordés à des structures situées en quartier prioritaire de la "
        "politique de la ville ÷ postes accordés.",
    ),
    Column(
        "part_proportionnelle",
        "Part proportionnelle (postes)",
        lambda r: r.proportional_quota,
        decimals=2,
        definition="Quote-part exacte du total des postes accordés du périmètre, répartie au "
        "prorata de la population : total accordé × population ÷ population du périmètre.",
    ),
    Column(
        "ecart",
        "Écart à la part proportionnelle (postes)",
        lambda r: r.deviation,
        decimals=2,
        signed=True,
        definition="Postes accordés − part proportionnelle : positif quand le territoire a "
        "reçu plus que sa part, négatif quand il a reçu moins.",
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "code"


def columns_for(level: Level) -> tuple[Column, ...]:
    return tuple(column for column in COLUMNS if level in column.levels)


def default_sort(level: Level) -> str:
    return DEFAULT_SORT if level in BY_KEY[DEFAULT_SORT].levels else "nom"


def sort_rows(
    rows: Iterable[TerritoryRow], column: Column, *, descending: bool
) -> list[TerritoryRow]:
    """Rows by the column's exact value; rows without a value come last in both orders."""
    by_code = sorted(rows, key=lambda row: row.code)
    present = [row for row in by_code if column.read(row) not in (None, "")]
    missing = [row for row in by_code if column.read(row) in (None, "")]
    # sort() is stable in both directions: equal values keep the order of their codes.
    present.sort(key=lambda row: _sort_key(column, row), reverse=descending)
    return present + missing


def _sort_key(column: Column, row: TerritoryRow) -> str | Fraction:
    if column.is_text:
        return _text_key(column.read(row))
    # Only rows with a value are sorted by it: `number` is never None here.
    return column.number(row) or Fraction(0)


def _text_key(value: Value) -> str:
    # "Île-de-France" sorts with the I, as a French reader looks for it.
    decomposed = unicodedata.normalize("NFKD", str(value))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
