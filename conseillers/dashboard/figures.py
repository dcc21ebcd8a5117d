"""The figures of one territory and how they roll up from départements to régions and nation.

Pure Python, no database: the selector fills département rows, everything above is summed here so
that a région is exactly the sum of its départements and the nation exactly the sum of its régions.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

PER_INHABITANTS = 100_000
_DAY = datetime.timedelta(days=1)


class Level(enum.StrEnum):
    """Territorial level of a row; the values are those of the `?niveau=` parameter."""

    DEPARTEMENT = "departement"
    REGION = "region"
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.DEPARTEMENT: "Départements",
    Level.REGION: "Régions",
    Level.NATIONAL: "National",
}


@dataclass(frozen=True, slots=True)
class Counts:
    """The additive figures of a territory: a sum of territories sums each of them."""

    population: int = 0
    # None while no département of the territory has an envelope in force.
    envelope: int | None = None
    granted: int = 0
    granted_zrr: int = 0
    granted_qpv: int = 0
    occupied: int = 0
    # Coordinator posts among `granted` and `occupied` (within them, not beside).
    coordinator_granted: int = 0
    coordinator_occupied: int = 0
    vacant: int = 0
    waiting: int = 0
    # Longest and total waiting time of the undecided applications, at the time of the reading.
    longest_wait: datetime.timedelta | None = None
    total_wait: datetime.timedelta = datetime.timedelta(0)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            population=self.population + other.population,
            envelope=_add_optional(self.envelope, other.envelope),
            granted=self.granted + other.granted,
            granted_zrr=self.granted_zrr + other.granted_zrr,
            granted_qpv=self.granted_qpv + other.granted_qpv,
            occupied=self.occupied + other.occupied,
            coordinator_granted=self.coordinator_granted + other.coordinator_granted,
            coordinator_occupied=self.coordinator_occupied + other.coordinator_occupied,
            vacant=self.vacant + other.vacant,
            waiting=self.waiting + other.waiting,
            longest_wait=_max_optional(self.longest_wait, other.longest_wait),
            total_wait=self.total_wait + other.total_wait,
        )


def _add_optional(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _max_optional(
    a: datetime.timedelta | None, b: datetime.timedelta | None
) -> datetime.timedelta | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


@dataclass(frozen=True, slots=True)
class TerritoryRow:
    """One line of the dashboard: a département, a région or the whole scope."""

    level: Level
    code: str
    name: str
    counts: Counts
    region_code: str = ""
    region_name: str = ""
    # Exact share of the scope's granted posts by population; None while it cannot be computed.
    proportional_quota: Fraction | None = None

    @property
    def longest_wait_days(self) -> int | None:
        """Whole days waited by the oldest undecided application."""
        wait = self.counts.longest_wait
        return None if wait is None else wait // _DAY

    @property
    def mean_wait_days(self) -> Fraction | None:
        waiting = self.counts.waiting
        if not waiting:
            return None
        return Fraction(self.counts.total_wait // datetime.timedelta(microseconds=1)) / (
            waiting * (_DAY // datetime.timedelta(microseconds=1))
        )

    @property
    def conseillers_per_100k(self) -> Fraction | None:
        population = self.counts.population
        if not population:
            return None
        return Fraction(self.counts.occupied * PER_INHABITANTS, population)

    @property
    def zrr_share(self) -> Fraction | None:
        return _share(self.counts.granted_zrr, self.counts.granted)

    @property
    def qpv_share(self) -> Fraction | None:
        return _share(self.counts.granted_qpv, self.counts.granted)

    @property
    def deviation(self) -> Fraction | None:
        """Granted posts minus the proportional quota: positive when above its share."""
        if self.proportional_quota is None:
            return None
        return self.counts.granted - self.proportional_quota


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def sum_counts(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for item in counts:
        total += item
    return total
