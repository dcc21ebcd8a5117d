"""Writes of the places: a structure's managers declare and update them (abilities on Lieu)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from conseillers.models import Candidat
from core.models import Structure, User
from lieux.models import Lieu, lieu_abilities

CANNOT_MANAGE = "Seuls les gestionnaires et référents de la structure gèrent ses lieux."
# The open-data export is cached per page: each write of a place moves to new cache keys, so a
# removed place leaves the export at once rather than when the cached pages expire.
GENERATION_KEY = "lieux:donnees-ouvertes:generation"


def opendata_generation() -> str:
    return f"lieux-{cache.get_or_set(GENERATION_KEY, 0, timeout=None)}"


def _opendata_changed() -> None:
    def bump() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # evicted: any new value starts afresh
            cache.set(GENERATION_KEY, 1, timeout=None)

    transaction.on_commit(bump)


def lieu_save(
    *,
    structure: Structure,
    lieu: Lieu | None = None,
    conseillers: list[Candidat] | None = None,
    by: User,
    **fields: Any,
) -> Lieu:
    """Creates (lieu None) or updates a place of the structure, with who works there."""
    action = "create" if lieu is None else "update"
    if not lieu_abilities(structure, by)[action]:
        raise PermissionDenied(CANNOT_MANAGE)
    lieu = lieu or Lieu(structure=structure)
    if lieu.structure_id != structure.pk:
        raise PermissionDenied(CANNOT_MANAGE)
    for name, value in fields.items():
        setattr(lieu, name, value)
    lieu.full_clean()
    with transaction.atomic():
        lieu.save()
        if conseillers is not None:
            lieu.conseillers.set(conseillers)
        _opendata_changed()
    return lieu


def lieu_remove(*, lieu: Lieu, by: User) -> bool:
    """Removes a place from the map and the open data: deleted, or closed (kept, with the day)
    when activity records name it, so that they keep their place. True when it was deleted."""
    if not lieu_abilities(lieu.structure, by)["delete"]:
        raise PermissionDenied(CANNOT_MANAGE)
    with transaction.atomic():
        # Locked so that a record naming the place cannot slip in between the test and the delete.
        locked = Lieu.objects.select_for_update().get(pk=lieu.pk)
        _opendata_changed()
        if not locked.activities.exists():
            locked.delete()
            return True
        if locked.closed_on is None:
            locked.closed_on = timezone.localdate()
            locked.save(update_fields=["closed_on", "updated_at"])
    lieu.refresh_from_db()
    return False


def conseillers_of(structure: Structure):
    """The conseillers a structure may name in its places: those it employs (or recruited)."""
    from conseillers.models import MatchState

    return Candidat.objects.filter(
        matches__structure=structure,
        matches__state__in=[
            MatchState.RECRUITED,
            MatchState.FINALISED,
            MatchState.RUPTURE_DECLARED,
        ],
    ).distinct()
