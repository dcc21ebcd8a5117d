"""Which candidates are offered to a structure: by distance, as the real programme did.

A candidate who gives a maximum travel distance is offered to the structures whose commune lies
within it, measured as the great-circle distance between the two communes' reference points
(core.Commune), computed by the database. Overseas, a structure is offered only the candidates of
its own département or collectivité, and a metropolitan one only metropolitan candidates: the
distance between the Antilles never makes a daily commute. A candidate without a maximum, or
whose commune (or the structure's) has no known position, keeps the département rule: offered to
the structures of the départements they chose.

Both reads stay cheap with a bounding box on the indexed latitude and longitude before the exact
distance: the live list of one structure (`candidats_for_structure`) and the set-based refresh of
every recruiting structure's proposals (`proposals_refresh`), one INSERT … SELECT per rule, and
one DELETE of the proposals the rule no longer makes.
"""

from __future__ import annotations

import math
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, F, FloatField, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from conseillers.abilities import StructureAbilities
from conseillers.models import (
    Candidat,
    CandidatureState,
    Proposal,
    ProposalRun,
    RunStructureCount,
)
from core.models import Commune, Departement, Structure, User, Zone

EARTH_RADIUS_KM = 6371.0
# Kilometres per degree of latitude on that sphere, rounded down so the box is never too small.
KM_PER_DEGREE = 111.0


def distance_km(lat: float | Combinable, lon: float | Combinable, lat2: str, lon2: str):
    """Haversine distance, in km, from (lat, lon) to the fields lat2, lon2 — an expression."""
    lat1 = Radians(Value(lat)) if isinstance(lat, float) else Radians(lat)
    lon1 = Value(lon) if isinstance(lon, float) else lon
    half_dlat = (Radians(F(lat2)) - lat1) / 2
    half_dlon = Radians(F(lon2) - lon1) / 2
    a = Power(Sin(half_dlat), 2) + Cos(lat1) * Cos(Radians(F(lat2))) * Power(Sin(half_dlon), 2)
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a), output_field=FloatField())


def box(lat: float, radius_km: float) -> tuple[float, float]:
    """Half-height and half-width, in degrees, of a box holding every point within radius_km."""
    dlat = radius_km / KM_PER_DEGREE
    widest = min(abs(lat) + dlat, 89.0)  # the parallel where a degree of longitude is shortest
    return dlat, min(dlat / math.cos(math.radians(widest)), 180.0)


def candidats_for_structure(structure: Structure) -> QuerySet[Candidat]:
    """Available candidates offered to the structure, nearest first; `distance_km` is None for
    those offered by the département rule, who come after; `local` tells whether the candidate
    chose the structure's département."""
    chosen = Candidat.departements.through.objects.filter(departement_id=structure.departement_id)
    local = Exists(chosen.filter(candidat_id=OuterRef("pk")))
    # The offered ids are gathered first (a union of two index reads), so that the planner reads
    # a few thousand candidates by primary key instead of testing every candidate against both
    # rules; its estimate then stays low enough not to compile the query (JIT), which cost more
    # than the query itself at national scale.
    by_departement = Candidat.objects.filter(pk__in=chosen.values("candidat_id")).order_by()
    commune = structure.commune
    if commune is None or commune.latitude is None or commune.longitude is None:
        return _offered(by_departement.values("pk"), local, Value(None, output_field=FloatField()))
    by_departement = by_departement.filter(
        Q(max_distance_km__isnull=True) | Q(commune__latitude__isnull=True)
    )
    reached = _within_reach(structure, commune.latitude, commune.longitude)
    distance = distance_km(
        commune.latitude, commune.longitude, "commune__latitude", "commune__longitude"
    )
    # Disjoint parts (a maximum and a position, or not; one bucket each): UNION ALL.
    ids = by_departement.values("pk").union(*reached, all=True)
    return _offered(ids, local, distance)


def _offered(ids: QuerySet, local: Exists, distance: Combinable) -> QuerySet[Candidat]:
    return (
        Candidat.objects.available()
        .filter(pk__in=ids)
        .annotate(local=local, distance_km=distance)
        .prefetch_related("departements")
        .order_by(F("distance_km").asc(nulls_last=True), "available_from", "last_name", "pk")
    )


def _within_reach(structure: Structure, lat: float, lon: float) -> list[QuerySet]:
    """Ids of the candidates with a maximum distance that reaches the structure's commune: one
    read per bucket of maximum distances, each in the box of its bucket's largest (the few who
    travel far do not widen the box of the many who do not), each one's own maximum after."""
    reach = Candidat.objects.filter(
        max_distance_km__isnull=False, commune__latitude__isnull=False
    ).order_by()
    if structure.departement.zone == Zone.METRO:
        reach = reach.filter(commune__departement__zone=Zone.METRO)
    else:
        reach = reach.filter(commune__departement_id=structure.departement_id)
    reach = reach.alias(d=distance_km(lat, lon, "commune__latitude", "commune__longitude"))
    parts = []
    for low, high in _buckets(Candidat.objects.aggregate(m=Max("max_distance_km"))["m"] or 0):
        dlat, dlon = box(lat, float(high))
        parts.append(
            reach.filter(
                max_distance_km__range=(low, high),
                commune__latitude__range=(lat - dlat, lat + dlat),
                commune__longitude__range=(lon - dlon, lon + dlon),
                d__lte=F("max_distance_km"),
            ).values("pk")
        )
    return parts


def _buckets(farthest: int) -> list[tuple[int, int]]:
    """The ranges of maximum distances read apart, up to the farthest anyone travels."""
    found, low = [], 0
    for high in (*BUCKETS, max(farthest, BUCKETS[-1] + 1)):
        if low <= farthest:
            found.append((low, high))
        low = high + 1
    return found


def recruiting_structures() -> QuerySet[Structure]:
    """The structures candidates are proposed to: those with a validated application."""
    return Structure.objects.filter(candidatures__state=CandidatureState.VALIDATED)


# {dist} is the haversine distance between the candidate's commune (cc) and the structure's (sc),
# with the functions PostgreSQL has and Django registers on SQLite.
_DISTANCE = (
    f"2 * {EARTH_RADIUS_KM} * ASIN(SQRT("
    "POWER(SIN(RADIANS(cc.latitude - sc.latitude) / 2), 2)"
    " + COS(RADIANS(sc.latitude)) * COS(RADIANS(cc.latitude))"
    " * POWER(SIN(RADIANS(cc.longitude - sc.longitude) / 2), 2)))"
)

# Driven by the recruiting structures: for each, the candidates' communes within the box of the
# bucket's largest distance (the commune index on latitude and longitude), then their candidates
# (the index on commune), the zone rule and the exact distance. One statement per bucket of
# maximum distances keeps each box as small as the candidates in it need.
_WIDEST = (
    "CASE WHEN ABS(sc.latitude) + %(reach)s > 89 THEN 89 ELSE ABS(sc.latitude) + %(reach)s END"
)
_LON_REACH = f"(%(reach)s / COS(RADIANS({_WIDEST})))"
_BY_DISTANCE = f"""
INSERT INTO {{proposal}} (structure_id, candidat_id, distance_km, run_id, created_at)
SELECT s.id, c.id, {_DISTANCE}, %(run)s, %(now)s
FROM {{structure}} s
JOIN {{commune}} sc ON sc.code = s.commune_id
JOIN {{commune}} cc
  ON cc.latitude BETWEEN sc.latitude - %(reach)s AND sc.latitude + %(reach)s
 AND cc.longitude BETWEEN sc.longitude - {_LON_REACH} AND sc.longitude + {_LON_REACH}
JOIN {{candidat}} c ON c.commune_id = cc.code
WHERE c.max_distance_km BETWEEN %(low)s AND %(high)s
  AND (cc.departement_id = s.departement_id
       OR (s.departement_id IN ({{metro}}) AND cc.departement_id IN ({{metro}})))
  AND {_DISTANCE} <= c.max_distance_km
  AND s.id IN ({{structures}}) AND c.id IN ({{available}})
ON CONFLICT (structure_id, candidat_id) DO NOTHING
"""  # noqa: S608

# Upper bounds (km) of the buckets of maximum distances; the last one reaches the farthest.
BUCKETS = (10, 20, 30, 50, 100, 200)

_BY_DEPARTEMENT = """
INSERT INTO {proposal} (structure_id, candidat_id, distance_km, run_id, created_at)
SELECT s.id, c.id, NULL, %(run)s, %(now)s
FROM {structure} s
JOIN {chosen} cd ON cd.departement_id = s.departement_id
JOIN {candidat} c ON c.id = cd.candidat_id
LEFT JOIN {commune} cc ON cc.code = c.commune_id
LEFT JOIN {commune} sc ON sc.code = s.commune_id
WHERE (c.max_distance_km IS NULL OR cc.latitude IS NULL OR sc.latitude IS NULL)
  AND s.id IN ({structures}) AND c.id IN ({available})
ON CONFLICT (structure_id, candidat_id) DO NOTHING
"""

_COUNTS = """
INSERT INTO {counts} (run_id, structure_id, new_proposals, removed_proposals)
SELECT run_id, structure_id, COUNT(*), 0 FROM {proposal}
WHERE run_id = %(run)s GROUP BY run_id, structure_id
"""

# The proposals of the structures in {scope} that the rule no longer offers: the structure stopped
# recruiting, the candidate was recruited, or either moved, or the candidate changed their maximum
# or their départements. The pair's test is the two INSERTs' rules read for one pair; the pairs
# this run has just inserted hold by construction.
_STALE = f"""
DELETE FROM {{proposal}} WHERE id IN (
SELECT p.id FROM {{proposal}} p
JOIN {{structure}} s ON s.id = p.structure_id
JOIN {{candidat}} c ON c.id = p.candidat_id
LEFT JOIN {{commune}} sc ON sc.code = s.commune_id
LEFT JOIN {{commune}} cc ON cc.code = c.commune_id
WHERE {{scope}} AND p.run_id <> %(run)s AND NOT (
  s.id IN ({{structures}}) AND c.id IN ({{available}}) AND (
    (c.max_distance_km IS NOT NULL AND cc.latitude IS NOT NULL AND sc.latitude IS NOT NULL
     AND (cc.departement_id = s.departement_id
          OR (s.departement_id IN ({{metro}}) AND cc.departement_id IN ({{metro}})))
     AND {_DISTANCE} <= c.max_distance_km)
    OR ((c.max_distance_km IS NULL OR cc.latitude IS NULL OR sc.latitude IS NULL)
        AND EXISTS (SELECT 1 FROM {{chosen}} cd
                    WHERE cd.candidat_id = c.id AND cd.departement_id = s.departement_id)))))
RETURNING structure_id
"""  # noqa: S608


def _inline(queryset: QuerySet) -> str:
    """A subquery's SQL with its parameters inlined: they are codes and states of this module,
    never input, and the statements above take named parameters."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return sql % tuple(_literal(cursor, p) for p in params)


def _literal(cursor, value: object) -> str:
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if not text.replace("_", "").isalnum():
        raise ValueError(f"Valeur inattendue dans une sous-requête : {text!r}")
    return f"'{text}'"


def proposals_refresh(*, structure: Structure | None = None, by: User | None = None) -> ProposalRun:
    """Brings the proposals of every structure (or of `structure` only) to what the rule offers
    now: the candidates newly offered are proposed, those no longer offered are withdrawn.
    Set-based and idempotent (a second run changes nothing), safe when two runs overlap (the pair
    is unique; each proposal belongs to the run that made it). Records per structure how many
    proposals were added and removed."""
    structures = recruiting_structures()
    # Every structure that holds proposals may have to lose them, recruiting or not.
    scope = "1 = 1"
    if structure is not None:
        structures = structures.filter(pk=structure.pk)
        scope = f"p.structure_id = {int(structure.pk)}"
    tables = {
        "proposal": Proposal._meta.db_table,
        "candidat": Candidat._meta.db_table,
        "chosen": Candidat.departements.through._meta.db_table,
        "commune": Commune._meta.db_table,
        "structure": Structure._meta.db_table,
        "counts": RunStructureCount._meta.db_table,
        "structures": _inline(structures.order_by().values("pk")),
        "scope": scope,
        "available": _inline(Candidat.objects.available().order_by().values("pk")),
        "metro": _inline(Departement.objects.filter(zone=Zone.METRO).values("code")),
    }
    with transaction.atomic():
        run = ProposalRun.objects.create(structure=structure, requested_by=by)
        with connection.cursor() as cursor:
            _propose(cursor, tables, run)
            cursor.execute(_STALE.format(**tables), {"run": run.pk})
            removed = Counter(structure_id for (structure_id,) in cursor.fetchall())
        _count_removed(run, removed)
        totals = RunStructureCount.objects.filter(run=run).aggregate(
            new=Sum("new_proposals"), removed=Sum("removed_proposals")
        )
        run.new_proposals = totals["new"] or 0
        run.removed_proposals = totals["removed"] or 0
        run.finished_at = timezone.now()
        run.save(update_fields=["new_proposals", "removed_proposals", "finished_at"])
    return run


def _propose(cursor, tables: dict[str, str], run: ProposalRun) -> None:
    """The INSERTs of the pairs newly offered, one per bucket of distances, then by département,
    and the count of the new ones per structure."""
    params = {"run": run.pk, "now": connection.ops.adapt_datetimefield_value(run.started_at)}
    for low, high in _buckets(Candidat.objects.aggregate(m=Max("max_distance_km"))["m"] or 0):
        bounds = {"low": low, "high": high, "reach": high / KM_PER_DEGREE}
        cursor.execute(_BY_DISTANCE.format(**tables), {**params, **bounds})
    cursor.execute(_BY_DEPARTEMENT.format(**tables), params)
    cursor.execute(_COUNTS.format(**tables), params)


def _count_removed(run: ProposalRun, removed: Counter[int]) -> None:
    RunStructureCount.objects.bulk_create(
        [
            RunStructureCount(run=run, structure_id=pk, removed_proposals=n)
            for pk, n in removed.items()
        ],
        update_conflicts=True,
        unique_fields=["run", "structure"],
        update_fields=["removed_proposals"],
        batch_size=5000,
    )


def structure_proposals_refresh(*, structure: Structure, by: User) -> ProposalRun:
    """A gestionnaire asks for its structure's proposals now rather than at the nightly run."""
    if not StructureAbilities(structure).get_abilities(by)["proposals_refresh"]:
        raise PermissionDenied(
            "Seul un gestionnaire de la structure peut actualiser ses propositions."
        )
    return proposals_refresh(structure=structure, by=by)


def latest_new_candidats(structure: Structure) -> tuple[RunStructureCount | None, set[int]]:
    """The last refresh that proposed new candidates to the structure, and those candidates."""
    latest = (
        RunStructureCount.objects.filter(structure=structure, new_proposals__gt=0)
        .select_related("run")
        .order_by("-run_id")
        .first()
    )
    if latest is None:
        return None, set()
    new = Proposal.objects.filter(structure=structure, run_id=latest.run_id)
    return latest, set(new.values_list("candidat_id", flat=True))
