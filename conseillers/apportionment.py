"""Apportionment of conseiller numérique posts over départements.

ANCT distributes a total of N posts over the départements in proportion to an indicator
(population by default, any other non-negative indicator may be loaded). The exact share
(*quota*) of a département is ``N * w / W``, where ``w`` is its indicator and ``W`` the sum of
all indicators. Quotas are rarely integers; the method decides how they are rounded.

Methods (:class:`Method`):

- ``HAMILTON`` (largest remainder, *plus forts restes*): each département gets the integer part
  of its quota; the posts left over go one each to the largest fractional parts. Every
  département stays within one post of its quota, but adding a post to N can take one away
  from a département (Alabama paradox).
- ``SAINTE_LAGUE`` (Webster): divisor method, the next post goes to the highest ``w / (a + 1/2)``
  where ``a`` is the number of posts already held. Rounds quotas to the nearest integer.
- ``HUNTINGTON_HILL`` (US House of Representatives): divisor ``sqrt(a * (a + 1))``. With a floor
  of 0 the divisor of the first post is 0: every département with a positive indicator gets its
  first post before any département gets a second one, then the sequence goes on as usual.
- ``DHONDT`` (Jefferson): divisor ``a + 1``; favours the départements with a large indicator.

Divisor methods hand out posts one at a time, so they never take a post away when N grows
(house monotone) nor from a département whose own indicator grows while the others stay put.

Floors and caps (a single int for every département, or one value per département, missing
ones meaning 0 and no cap):

- Every département gets at least its floor and at most its cap.
- Divisor methods: posts start at the floor and the priority sequence continues from there;
  a département at its cap drops out of the sequence.
- Hamilton: quotas are first bounded. A département whose quota falls below its floor (above
  its cap) is held at it, and the quotas of the others are rescaled proportionally to what is
  left, until every quota lies within its bounds; largest remainder then applies to these
  bounded quotas. When no bound binds, the result is plain Hamilton.
- A département whose indicator is 0 gets exactly its floor, whatever the method.

Ties (equal remainders for Hamilton, equal priorities for divisor methods) are broken in favour
of the larger indicator, then of the smaller département code in string order ("2A" < "37"),
so the result does not depend on the order of the mappings given.

Arithmetic is exact: indicators are turned into :class:`fractions.Fraction`, Huntington-Hill
priorities are compared through their squares, nothing goes through ``float``.

:func:`compare_allocations` sets a proposal beside the current envelopes, with each
département's exact quota, its deviation from it and the Loosemore-Hanby index of both sides
(half the sum of the absolute differences between post shares and indicator shares: 0 is
perfectly proportional, 1 the worst possible).
"""

from __future__ import annotations

import enum
import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

Weight: TypeAlias = Decimal | int
Bound: TypeAlias = Mapping[str, int] | int
_HeapEntry: TypeAlias = tuple[int, Fraction, Fraction, str]


class Method(enum.StrEnum):
    """Apportionment methods offered to ANCT (see the module docstring)."""

    HAMILTON = "hamilton"
    SAINTE_LAGUE = "sainte_lague"
    HUNTINGTON_HILL = "huntington_hill"
    DHONDT = "dhondt"

    @property
    def label(self) -> str:
        """French name shown to ANCT."""
        return _LABELS[self]


_LABELS = {
    Method.HAMILTON: "Plus forts restes (Hamilton)",
    Method.SAINTE_LAGUE: "Sainte-Laguë (Webster)",
    Method.HUNTINGTON_HILL: "Huntington-Hill",
    Method.DHONDT: "D'Hondt (Jefferson)",
}


@dataclass(frozen=True, slots=True)
class _Problem:
    total: int
    weights: dict[str, Fraction]
    floors: dict[str, int]
    caps: dict[str, int | None]


def apportion(
    *,
    total: int,
    weights: Mapping[str, Weight],
    method: Method,
    floors: Bound = 0,
    caps: Bound | None = None,
) -> dict[str, int]:
    """Distribute ``total`` posts over the keys of ``weights`` with ``method``.

    ``floors`` and ``caps`` are a single int for every key or a mapping per key (missing keys:
    floor 0, no cap). Returns a dict with one entry per key of ``weights``, in sorted key order,
    whose values add up to ``total``. Raises ``ValueError`` (French message) on a negative
    total, floor, cap or indicator, when every indicator is 0, when the floors exceed the total
    or when the caps cannot absorb it; ``TypeError`` on an indicator that is neither an int nor
    a ``Decimal``.
    """
    problem = _validated(total=total, weights=weights, floors=floors, caps=caps)
    if method is Method.HAMILTON:
        return _largest_remainder(problem)
    return _divisor(problem, method)


def exact_quotas(*, total: int, weights: Mapping[str, Weight]) -> dict[str, Fraction]:
    """Exact share ``total * w / W`` of each key, in sorted key order."""
    _check_total(total)
    fractions = _weights(weights)
    weight_sum = sum(fractions.values(), Fraction(0))
    return {key: total * weight / weight_sum for key, weight in fractions.items()}


# Validation


def _validated(
    *, total: int, weights: Mapping[str, Weight], floors: Bound, caps: Bound | None
) -> _Problem:
    _check_total(total)
    fractions = _weights(weights)
    floor_map = {key: _floor(floors, key) for key in fractions}
    cap_map = {key: _cap(caps, key) for key in fractions}
    _check_unknown_keys(fractions, floors, "plancher")
    _check_unknown_keys(fractions, caps, "plafond")
    problem = _Problem(total=total, weights=fractions, floors=floor_map, caps=cap_map)
    _check_feasible(problem)
    return problem


def _weights(weights: Mapping[str, Weight]) -> dict[str, Fraction]:
    fractions = {key: _weight(key, weights[key]) for key in sorted(weights)}
    if not any(fractions.values()):
        raise ValueError("Tous les indicateurs sont nuls : aucune répartition n'est possible.")
    return fractions


def _weight(key: str, value: Weight) -> Fraction:
    # float is refused: a binary approximation would make ties and comparisons unreliable.
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(
            f"L'indicateur du département {key} doit être un entier ou un Decimal "
            f"(reçu : {value!r})."
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"L'indicateur du département {key} n'est pas un nombre fini.")
    if value < 0:
        raise ValueError(f"L'indicateur du département {key} est négatif ({value}).")
    return Fraction(value)


def _check_total(total: int) -> None:
    if isinstance(total, bool) or not isinstance(total, int):
        raise TypeError(f"Le nombre total de postes doit être un entier (reçu : {total!r}).")
    if total < 0:
        raise ValueError(f"Le nombre total de postes doit être positif ou nul (reçu : {total}).")


def _floor(floors: Bound, key: str) -> int:
    value = floors if isinstance(floors, int) else floors.get(key, 0)
    if value < 0:
        raise ValueError(f"Le plancher du département {key} est négatif ({value}).")
    return value


def _cap(caps: Bound | None, key: str) -> int | None:
    value = caps if caps is None or isinstance(caps, int) else caps.get(key)
    if value is not None and value < 0:
        raise ValueError(f"Le plafond du département {key} est négatif ({value}).")
    return value


def _check_unknown_keys(fractions: dict[str, Fraction], bound: Bound | None, noun: str) -> None:
    if isinstance(bound, Mapping) and (unknown := sorted(set(bound) - set(fractions))):
        raise ValueError(
            f"Un {noun} est donné pour des départements sans indicateur : {', '.join(unknown)}."
        )


def _check_feasible(problem: _Problem) -> None:
    floor_sum = sum(problem.floors.values())
    if floor_sum > problem.total:
        raise ValueError(
            f"La somme des planchers ({floor_sum}) dépasse le nombre total de postes "
            f"({problem.total})."
        )
    for key, cap in problem.caps.items():
        if cap is not None and cap < problem.floors[key]:
            raise ValueError(
                f"Le plafond du département {key} ({cap}) est inférieur à son plancher "
                f"({problem.floors[key]})."
            )
    capacity = _capacity(problem)
    if capacity is not None and capacity < problem.total:
        raise ValueError(
            f"Les plafonds ne permettent de répartir que {capacity} postes sur {problem.total}."
        )


def _capacity(problem: _Problem) -> int | None:
    """Most posts the keys can hold; a key with a zero indicator holds only its floor."""
    capacity = 0
    for key, weight in problem.weights.items():
        cap = problem.caps[key] if weight else problem.floors[key]
        if cap is None:
            return None
        capacity += cap
    return capacity


# Largest remainder


def _largest_remainder(problem: _Problem) -> dict[str, int]:
    quotas = _bounded_quotas(problem)
    seats = {key: math.floor(quota) for key, quota in quotas.items()}
    left_over = problem.total - sum(seats.values())
    # Only keys strictly between their bounds have a remainder, so the extra post respects them.
    ranked = sorted(
        (key for key in quotas if quotas[key] != seats[key]),
        key=lambda key: (-(quotas[key] - seats[key]), -problem.weights[key], key),
    )
    for key in ranked[:left_over]:
        seats[key] += 1
    return seats


def _bounded_quotas(problem: _Problem) -> dict[str, Fraction]:
    """Quotas ``clip(level * w, floor, cap)`` with the level that makes them sum to the total."""
    level = _water_level(problem)
    return {key: _clipped(problem, key, level) for key in problem.weights}


def _clipped(problem: _Problem, key: str, level: Fraction) -> Fraction:
    value = max(Fraction(problem.floors[key]), level * problem.weights[key])
    cap = problem.caps[key]
    return value if cap is None else min(value, Fraction(cap))


def _water_level(problem: _Problem) -> Fraction:
    # The sum of clipped quotas is continuous, non-decreasing and linear between the levels at
    # which a key reaches its floor or its cap: find the last such level not above the total,
    # then solve the linear piece that follows it.
    levels = sorted(_breakpoints(problem))
    low, high = 0, len(levels) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _quota_sum(problem, levels[middle]) <= problem.total:
            low = middle
        else:
            high = middle - 1
    base = levels[low]
    missing = problem.total - _quota_sum(problem, base)
    if not missing:
        return base
    slope = sum(
        (weight for key, weight in problem.weights.items() if _free_above(problem, key, base)),
        Fraction(0),
    )
    return base + missing / slope


def _breakpoints(problem: _Problem) -> set[Fraction]:
    points = {Fraction(0)}
    for key, weight in problem.weights.items():
        if weight:
            points.add(problem.floors[key] / weight)
            if (cap := problem.caps[key]) is not None:
                points.add(cap / weight)
    return points


def _quota_sum(problem: _Problem, level: Fraction) -> Fraction:
    return sum((_clipped(problem, key, level) for key in problem.weights), Fraction(0))


def _free_above(problem: _Problem, key: str, level: Fraction) -> bool:
    weight, cap = problem.weights[key], problem.caps[key]
    if not weight or level * weight < problem.floors[key]:
        return False
    return cap is None or level * weight < cap


# Divisor methods


def _divisor(problem: _Problem, method: Method) -> dict[str, int]:
    seats = dict(problem.floors)
    queue = [
        _entry(problem, method, key, seats[key])
        for key in problem.weights
        if _can_grow(problem, key, seats[key])
    ]
    heapq.heapify(queue)
    for _ in range(problem.total - sum(seats.values())):
        key = heapq.heappop(queue)[-1]
        seats[key] += 1
        if _can_grow(problem, key, seats[key]):
            heapq.heappush(queue, _entry(problem, method, key, seats[key]))
    return seats


def _can_grow(problem: _Problem, key: str, held: int) -> bool:
    cap = problem.caps[key]
    return bool(problem.weights[key]) and (cap is None or held < cap)


def _entry(problem: _Problem, method: Method, key: str, held: int) -> _HeapEntry:
    """Heap entry: the smallest entry is the key that gets the next post."""
    weight = problem.weights[key]
    priority = _priority(method, weight, held)
    if priority is None:
        # Huntington-Hill first post: infinite priority, ties broken the usual way.
        return (0, Fraction(0), -weight, key)
    return (1, -priority, -weight, key)


def _priority(method: Method, weight: Fraction, held: int) -> Fraction | None:
    """Priority of the next post, or ``None`` when it is infinite."""
    match method:
        case Method.DHONDT:
            return weight / (held + 1)
        case Method.SAINTE_LAGUE:
            return weight / (held + Fraction(1, 2))
        case Method.HUNTINGTON_HILL:
            # Squared to stay exact: w / sqrt(a(a+1)) and w² / (a(a+1)) rank keys alike.
            return None if held == 0 else weight * weight / (held * (held + 1))
    raise ValueError(f"Méthode de répartition inconnue : {method}.")


# Comparison with the current envelopes


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One département: current envelope, proposal and distance to its exact share."""

    key: str
    current: int
    proposed: int
    difference: int
    quota: Fraction
    deviation: Fraction


@dataclass(frozen=True, slots=True)
class Comparison:
    """A proposal beside the current envelopes.

    ``quota`` and ``deviation`` (``proposed - quota``) are computed on the proposed total. The
    indices are Loosemore-Hanby indices, ``None`` when the side holds no post at all.
    """

    rows: tuple[ComparisonRow, ...]
    current_total: int
    proposed_total: int
    current_index: Fraction | None
    proposed_index: Fraction | None


def compare_allocations(
    *,
    proposed: Mapping[str, int],
    current: Mapping[str, int],
    weights: Mapping[str, Weight],
) -> Comparison:
    """Set ``proposed`` beside ``current``, key by key, against the exact shares of ``weights``.

    A key of ``weights`` missing from ``proposed`` or ``current`` counts 0 posts there; a key
    absent from ``weights`` or a negative number of posts raises ``ValueError``.
    """
    proposed_posts = _posts(proposed, weights, "proposition")
    current_posts = _posts(current, weights, "enveloppes actuelles")
    proposed_total = sum(proposed_posts.values())
    quotas = exact_quotas(total=proposed_total, weights=weights)
    rows = tuple(
        ComparisonRow(
            key=key,
            current=current_posts[key],
            proposed=proposed_posts[key],
            difference=proposed_posts[key] - current_posts[key],
            quota=quota,
            deviation=proposed_posts[key] - quota,
        )
        for key, quota in quotas.items()
    )
    return Comparison(
        rows=rows,
        current_total=sum(current_posts.values()),
        proposed_total=proposed_total,
        current_index=_loosemore_hanby(current_posts, weights),
        proposed_index=_loosemore_hanby(proposed_posts, weights),
    )


def loosemore_hanby(*, allocation: Mapping[str, int], weights: Mapping[str, Weight]) -> Fraction:
    """Half the sum of ``|a / A - w / W|`` over the keys: 0 when exactly proportional."""
    index = _loosemore_hanby(_posts(allocation, weights, "répartition"), weights)
    if index is None:
        raise ValueError("La répartition ne compte aucun poste : l'indice n'est pas défini.")
    return index


def _loosemore_hanby(posts: dict[str, int], weights: Mapping[str, Weight]) -> Fraction | None:
    post_sum = sum(posts.values())
    if not post_sum:
        return None
    shares = exact_quotas(total=1, weights=weights)
    gaps = (abs(Fraction(posts[key], post_sum) - share) for key, share in shares.items())
    return sum(gaps, Fraction(0)) / 2


def _posts(posts: Mapping[str, int], weights: Mapping[str, Weight], side: str) -> dict[str, int]:
    if unknown := sorted(set(posts) - set(weights)):
        raise ValueError(
            f"{side.capitalize()} : départements sans indicateur : {', '.join(unknown)}."
        )
    if negative := sorted(key for key, value in posts.items() if value < 0):
        raise ValueError(
            f"{side.capitalize()} : nombre de postes négatif pour {', '.join(negative)}."
        )
    return {key: posts.get(key, 0) for key in sorted(weights)}
