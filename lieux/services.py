"""Writes of the places: a structure's managers declare and update them (abilities on Lieu)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from conseillers.models import Candidat
from core.models import Structure, User
from lieux.models import Lieu, lieu_abilities

CANNOT_MANAGE = "Seuls les gestionnaires et référents de la structure gèrent ses lieux."


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
    return lieu


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
