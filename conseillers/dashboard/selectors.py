"""The territorial dashboard aggregated from the programme's tables, in six queries whatever the
number of structures or applications: what `conseillers.dashboard.snapshot` stores for the pages.

Every figure is first aggregated per département by the database (one GROUP BY per source
table), then summed in Python into régions and the nation, so that the three levels always agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, DateTimeField, DurationField, F, Min, Q, QuerySet, Sum, Value

from conseillers.apportionment import exact_quotas, loosemore_hanby
from conseillers.models import (
    OCCUPYING,
    UNDECIDED,
    Candidature,
    CandidatureState,
    Match,
    Post,
    PostKind,
)
from conseillers.selectors import envelopes_in_force, with_coordinator_quota, with_quota
from core.models import Departement

from .figures import Counts, Level, TerritoryRow, sum_counts

# The total row has no INSEE code: for a préfecture it is its territory, not the country.
NATION_CODE = ""


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The figures of a scope (the whole country, or a préfecture's territory) at three levels."""

    departements: tuple[TerritoryRow, ...]
    regions: tuple[TerritoryRow, ...]
    nation: TerritoryRow
    # Loosemore–Hanby index of granted posts and of envelopes against population (0 = proportional).
    granted_index: Fraction | None
    envelope_index: Fraction | None
    computed_at: datetime.datetime

    def rows(self, level: Level) -> tuple[TerritoryRow, ...]:
        if level is Level.DEPARTEMENT:
            return self.departements
        if level is Level.REGION:
            return self.regions
        return (self.nation,)


def territorial_dashboard(
    *, departement_codes: Collection[str] | None, now: datetime.datetime, nation_name: str
) -> Dashboard:
    """Figures of the given départements (None: all of them) aggregated now from the programme's
    tables, waiting times measured at `now`. The pages read the rows this aggregation leaves
    (`conseillers.dashboard.snapshot`), not this."""
    codes = None if departement_codes is None else frozenset(departement_codes)
    departements = list(_scoped(Departement.objects.select_related("region"), "code", codes))
    counts = departement_counts(departements, codes, now)
    return assemble(departements, counts, nation_name=nation_name, computed_at=now)


def assemble(
    departements: list[Departement],
    counts: dict[str, Counts],
    *,
    nation_name: str,
    computed_at: datetime.datetime,
) -> Dashboard:
    """The three levels from the départements' counts: régions and nation are sums."""
    populations = {d.code: d.population for d in departements}
    granted = {d.code: counts[d.code].granted for d in departements}
    quotas = _proportional_quotas(granted, populations)
    departement_rows = tuple(
        TerritoryRow(
            level=Level.DEPARTEMENT,
            code=d.code,
            name=d.name,
            counts=counts[d.code],
            region_code=d.region_id,
            region_name=d.region.name,
            proportional_quota=quotas.get(d.code),
        )
        for d in departements
    )
    nation = TerritoryRow(
        level=Level.NATIONAL,
        code=NATION_CODE,
        name=nation_name,
        counts=sum_counts(row.counts for row in departement_rows),
        proportional_quota=_sum_quotas(departement_rows),
    )
    envelopes = {d.code: counts[d.code].envelope or 0 for d in departements}
    return Dashboard(
        departements=departement_rows,
        regions=_regions(departement_rows),
        nation=nation,
        granted_index=_index(granted, populations),
        envelope_index=_index(envelopes, populations),
        computed_at=computed_at,
    )


def _scoped(queryset: QuerySet, path: str, codes: frozenset[str] | None) -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{path}__in": codes})


def departement_counts(
    departements: list[Departement], codes: frozenset[str] | None, now: datetime.datetime
) -> dict[str, Counts]:
    """One GROUP BY per source table, merged per département code."""
    fields: dict[str, dict] = {d.code: {"population": d.population} for d in departements}
    envelopes = envelopes_in_force()
    for code in fields.keys() & envelopes.keys():
        fields[code]["envelope"] = envelopes[code]
    for source in (_granted(codes), _occupied(codes), _vacant(codes), _waiting(codes, now)):
        for row in source:
            code = row.pop("code")
            if "oldest" in row:
                row["longest_wait"] = now - row.pop("oldest")
            fields[code].update(row)
    return {code: Counts(**values) for code, values in fields.items()}


def _granted(codes: frozenset[str] | None) -> QuerySet:
    validated = with_coordinator_quota(
        with_quota(Candidature.objects.filter(state=CandidatureState.VALIDATED))
    )
    return (
        _scoped(validated, "structure__departement_id", codes)
        .values(code=F("structure__departement_id"))
        .annotate(
            granted=Sum("quota"),
            coordinator_granted=Sum("coordinator_quota"),
            granted_zrr=Sum("quota", filter=Q(structure__zrr=True), default=0),
            granted_qpv=Sum("quota", filter=Q(structure__qpv=True), default=0),
        )
        .order_by()
    )


def _occupied(codes: frozenset[str] | None) -> QuerySet:
    occupying = Match.objects.filter(state__in=OCCUPYING)
    return (
        _scoped(occupying, "structure__departement_id", codes)
        .values(code=F("structure__departement_id"))
        .annotate(
            occupied=Count("pk"),
            coordinator_occupied=Count("pk", filter=Q(post__kind=PostKind.COORDINATOR)),
        )
        .order_by()
    )


def _vacant(codes: frozenset[str] | None) -> QuerySet:
    # A post exists from its first recruitment on; it has no holder from a validated rupture or
    # the normal end of a contract until a replacement is recruited.
    vacant = Post.objects.filter(holder__isnull=True)
    return (
        _scoped(vacant, "structure__departement_id", codes)
        .values(code=F("structure__departement_id"))
        .annotate(vacant=Count("pk"))
        .order_by()
    )


def _waiting(codes: frozenset[str] | None, now: datetime.datetime) -> QuerySet:
    # Waiting runs from the submission: an application in complementary examination still waits.
    undecided = Candidature.objects.filter(state__in=UNDECIDED)
    wait = Value(now, output_field=DateTimeField()) - F("created_at")
    return (
        _scoped(undecided, "structure__departement_id", codes)
        .values(code=F("structure__departement_id"))
        .annotate(
            waiting=Count("pk"),
            oldest=Min("created_at"),
            total_wait=Sum(wait, output_field=DurationField()),
        )
        .order_by()
    )


def _proportional_quotas(
    granted: dict[str, int], populations: dict[str, int]
) -> dict[str, Fraction]:
    if not any(populations.values()):
        return {}
    return exact_quotas(total=sum(granted.values()), weights=populations)


def _index(allocation: dict[str, int], populations: dict[str, int]) -> Fraction | None:
    if not sum(allocation.values()) or not any(populations.values()):
        return None
    return loosemore_hanby(allocation=allocation, weights=populations)


def _sum_quotas(rows: Collection[TerritoryRow]) -> Fraction | None:
    quotas = [row.proportional_quota for row in rows]
    known = [quota for quota in quotas if quota is not None]
    if not quotas or len(known) < len(quotas):
        return None
    return sum(known, Fraction(0))


def _regions(departement_rows: tuple[TerritoryRow, ...]) -> tuple[TerritoryRow, ...]:
    by_region: dict[str, list[TerritoryRow]] = defaultdict(list)
    for row in departement_rows:
        by_region[row.region_code].append(row)
    return tuple(
        TerritoryRow(
            level=Level.REGION,
            code=code,
            name=rows[0].region_name,
            counts=sum_counts(row.counts for row in rows),
            proportional_quota=_sum_quotas(rows),
        )
        for code, rows in sorted(by_region.items())
    )
