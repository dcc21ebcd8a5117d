"""Who reads the activity statistics of which perimeter.

A perimeter is named by a token (`national`, `region-24`, `departement-37`, `structure-12`,
`conseiller-45`, the last one a recruitment). ANCT reads every one; a préfecture agent its
départements, its région when it holds all of it, and the structures and conseillers there; a
structure manager its structures and their conseillers; a conseiller their own recruitments.
An unknown perimeter and one out of reach get the same refusal: nobody learns what exists
outside their scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from conseillers.models import Match
from core.models import Departement, Region, Role, Structure, User

OUT_OF_REACH = "Ce périmètre n'existe pas ou n'est pas dans les vôtres."
NATIONAL = "national"


class Kind:
    NATIONAL = "national"
    REGION = "region"
    DEPARTEMENT = "departement"
    STRUCTURE = "structure"
    CONSEILLER = "conseiller"


KIND_LABELS = {
    Kind.NATIONAL: "France entière",
    Kind.REGION: "Région",
    Kind.DEPARTEMENT: "Département",
    Kind.STRUCTURE: "Structure",
    Kind.CONSEILLER: "Conseiller numérique",
}


@dataclass(frozen=True)
class Perimeter:
    kind: str
    token: str
    label: str
    # Territorial perimeters read the aggregates of these départements (None: all of them).
    departement_ids: frozenset[str] | None = None
    structure_id: int | None = None
    match_id: int | None = None

    @property
    def is_territorial(self) -> bool:
        return self.kind in (Kind.NATIONAL, Kind.REGION, Kind.DEPARTEMENT)

    @property
    def group(self) -> str:
        return KIND_LABELS[self.kind]


def perimeter_for(user: User, token: str) -> Perimeter:
    """The perimeter a token names, if the person may read it; PermissionDenied otherwise."""
    kind, _, key = token.partition("-")
    perimeter = _resolve(kind, key)
    if perimeter is None or not _may_read(user, perimeter):
        raise PermissionDenied(OUT_OF_REACH)
    return perimeter


def perimeters_for(user: User) -> list[Perimeter]:
    """The perimeters offered in the person's menu, widest first (a few queries)."""
    scope = user.scope
    found: list[Perimeter] = []
    if scope.is_anct:
        found.append(_national())
        found += [_region(r) for r in Region.objects.prefetch_related("departements")]
        found += [_departement(d) for d in Departement.objects.order_by("code")]
        return found
    codes = scope.departement_codes
    if codes:
        regions = Region.objects.filter(departements__code__in=codes).distinct()
        found += [
            r
            for r in map(_region, regions.prefetch_related("departements"))
            if r.departement_ids and r.departement_ids <= codes
        ]
        found += [_departement(d) for d in Departement.objects.filter(code__in=codes)]
    structures = Structure.objects.filter(pk__in=scope.structure_ids(Role.GESTIONNAIRE))
    if codes:
        structures = structures | Structure.objects.filter(
            departement_id__in=codes, matches__holding__isnull=False
        )
    found += [_structure(s) for s in structures.distinct().order_by("name")]
    matches = _matches().filter(candidat__user=user) | _matches().filter(
        structure_id__in=[p.structure_id for p in found if p.structure_id]
    )
    found += [_conseiller(m) for m in matches.distinct().order_by("candidat__last_name", "pk")]
    return found


def default_perimeter(user: User) -> Perimeter | None:
    options = perimeters_for(user)
    return options[0] if options else None


def _may_read(user: User, perimeter: Perimeter) -> bool:
    scope = user.scope
    if scope.is_anct:
        return True
    codes = scope.departement_codes
    if perimeter.kind == Kind.NATIONAL:
        return False
    if perimeter.is_territorial:
        ids = perimeter.departement_ids or frozenset()
        return bool(ids) and ids <= codes  # an empty région reaches nothing
    if perimeter.structure_id is not None:
        structure = Structure.objects.get(pk=perimeter.structure_id)
        return structure.departement_id in codes or scope.has_structure_role(
            structure.pk, Role.GESTIONNAIRE
        )
    match = Match.objects.select_related("structure", "candidat").get(pk=perimeter.match_id)
    return (
        match.structure.departement_id in codes
        or scope.has_structure_role(match.structure_id, Role.GESTIONNAIRE)
        or (match.candidat.user_id is not None and match.candidat.user_id == user.pk)
    )


def _resolve(kind: str, key: str) -> Perimeter | None:
    if kind == Kind.NATIONAL and not key:
        return _national()
    if kind == Kind.REGION:
        region = Region.objects.prefetch_related("departements").filter(code=key).first()
        return _region(region) if region else None
    if kind == Kind.DEPARTEMENT:
        departement = Departement.objects.filter(code=key).first()
        return _departement(departement) if departement else None
    if not key.isdigit() or len(key) > 12:
        return None
    if kind == Kind.STRUCTURE:
        structure = Structure.objects.filter(pk=int(key)).first()
        return _structure(structure) if structure else None
    if kind == Kind.CONSEILLER:
        match = _matches().filter(pk=int(key)).first()
        return _conseiller(match) if match else None
    return None


def _matches():
    """Recruitments that held a post: the only ones with activity."""
    return Match.objects.filter(holding__isnull=False).select_related("candidat", "structure")


def _national() -> Perimeter:
    return Perimeter(Kind.NATIONAL, NATIONAL, KIND_LABELS[Kind.NATIONAL])


def _region(region: Region) -> Perimeter:
    codes = frozenset(d.code for d in region.departements.all())
    return Perimeter(Kind.REGION, f"region-{region.code}", region.name, departement_ids=codes)


def _departement(departement: Departement) -> Perimeter:
    return Perimeter(
        Kind.DEPARTEMENT,
        f"departement-{departement.code}",
        f"{departement.name} ({departement.code})",
        departement_ids=frozenset([departement.code]),
    )


def _structure(structure: Structure) -> Perimeter:
    return Perimeter(
        Kind.STRUCTURE, f"structure-{structure.pk}", structure.name, structure_id=structure.pk
    )


def _conseiller(match: Match) -> Perimeter:
    return Perimeter(
        Kind.CONSEILLER,
        f"conseiller-{match.pk}",
        f"{match.candidat} — {match.structure.name}",
        match_id=match.pk,
    )
