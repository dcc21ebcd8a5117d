"""Envelope proposals for ANCT: apportion N posts from an indicator, or redistribute posts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from conseillers import selectors
from conseillers.apportionment import (
    Comparison,
    ComparisonRow,
    Method,
    apportion,
    compare_allocations,
)
from core.models import Departement


def population_weights() -> dict[str, int]:
    return dict(Departement.objects.values_list("code", "population"))


def parse_indicator_csv(content: bytes) -> dict[str, Decimal]:
    """Reads « code;valeur » lines (a header line is allowed); every code must be known."""
    known = set(Departement.objects.values_list("code", flat=True))
    text = content.decode("utf-8-sig")
    weights: dict[str, Decimal] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=";"), start=1):
        if not row or (number == 1 and _is_header(row)):
            continue
        weights[_code(row, number, known)] = _value(row, number)
    if not weights:
        raise ValidationError("Le fichier ne contient aucune ligne « code;valeur ».")
    return weights


def _is_header(row: list[str]) -> bool:
    try:
        _value(row, 1)
    except ValidationError:
        return True
    return False


def _code(row: list[str], number: int, known: set[str]) -> str:
    code = row[0].strip().upper()
    if code not in known:
        raise ValidationError(f"Ligne {number} : « {row[0]} » n'est pas un code de département.")
    return code


def _value(row: list[str], number: int) -> Decimal:
    try:
        value = Decimal(row[1].strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (IndexError, InvalidOperation) as exc:
        raise ValidationError(f"Ligne {number} : la valeur doit être un nombre.") from exc
    if value < 0 or not value.is_finite():
        raise ValidationError(f"Ligne {number} : la valeur doit être positive.")
    return value


def envelope_proposal(
    *,
    total: int,
    method: Method,
    floor: int,
    weights: dict[str, Decimal] | dict[str, int] | None = None,
) -> Comparison:
    weights = weights or population_weights()
    try:
        proposed = apportion(
            total=total, weights=weights, method=method, floors={code: floor for code in weights}
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return compare_allocations(
        proposed=proposed, current=selectors.envelopes_in_force(), weights=weights
    )


def redistribution_proposal(*, total: int) -> dict[str, dict[str, int]]:
    """Where returned posts could go: in proportion to the unmet demand, never beyond it."""
    demand = selectors.unmet_demand()
    if not demand:
        raise ValidationError("Aucune demande non satisfaite : rien à redistribuer pour l'instant.")
    extra = apportion(
        total=min(total, sum(demand.values())), weights=demand, method=Method.HAMILTON, caps=demand
    )
    current = selectors.envelopes_in_force()
    return {
        code: {
            "demand": demand[code],
            "extra": posts,
            "current": current.get(code, 0),
            "proposed": current.get(code, 0) + posts,
        }
        for code, posts in extra.items()
        if posts
    }


@dataclass(frozen=True, slots=True)
class ProposalRegion:
    """The rows of one région in a proposal, and what the proposal changes there."""

    name: str
    rows: list[tuple[ComparisonRow, str]]  # each row with its département's name

    @property
    def changed(self) -> int:
        return sum(1 for row, _ in self.rows if row.difference)

    @property
    def difference(self) -> int:
        return sum(row.difference for row, _ in self.rows)


def proposal_by_region(comparison: Comparison) -> list[ProposalRegion]:
    """A proposal of ~100 rows read région by région, in the order of the régions' codes."""
    departements = {d.code: d for d in Departement.objects.select_related("region")}
    groups: dict[str, list[tuple[ComparisonRow, str]]] = {}
    names: dict[str, str] = {}
    for row in sorted(comparison.rows, key=lambda r: (departements[r.key].region_id, r.key)):
        region = departements[row.key].region
        names[region.code] = region.name
        groups.setdefault(region.code, []).append((row, departements[row.key].name))
    return [ProposalRegion(name=names[code], rows=rows) for code, rows in groups.items()]
