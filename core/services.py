"""Writes of the shared referential: API tokens and structures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.models import ApiToken, Departement, Structure, StructureIdentityChange, User

FIELD_LABELS = {
    "name": "raison sociale",
    "siret": "SIRET (ou RIDET)",
    "type": "type",
    "departement": "département",
    "zrr": "ZRR",
    "qpv": "QPV",
    "france_services": "label France Services",
}


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for one device or client; returns it with its only clear-text copy."""
    with transaction.atomic():
        # One token per device or client: asking again under the same name replaces the old one.
        ApiToken.objects.filter(user=user, name=name).delete()
        token, raw = ApiToken.objects.create_token(
            user=user, name=name, ttl=timedelta(hours=settings.API_TOKEN_TTL_HOURS)
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, by: User) -> None:
    if token.user_id != by.pk and not by.scope.is_anct:
        raise PermissionDenied("Seule la personne titulaire ou l'ANCT peut révoquer ce jeton.")
    token.delete()


def identity_refusal_message(fields: list[str]) -> str:
    labels = ", ".join(FIELD_LABELS.get(field, field) for field in fields)
    return (
        f"Seule l'ANCT peut modifier l'identité d'une structure ({labels}) : ces champs fondent "
        "les enveloppes, les décisions et les subventions. Écrivez à l'ANCT en indiquant le "
        "motif du changement."
    )


def identity_changes(structure: Structure, values: dict[str, Any]) -> dict[str, Any]:
    """The identity fields among `values` that differ from the structure's current values
    (sending a field unchanged is not a change)."""
    return {
        field: value
        for field, value in values.items()
        if field in Structure.IDENTITY_FIELDS
        and _stored(field, value) != _current(structure, field)
    }


def structure_update_contact(*, structure: Structure, by: User, **fields: Any) -> None:
    """What a gestionnaire (or ANCT) changes itself: the CONTACT_FIELDS only."""
    others = sorted(set(fields) - set(Structure.CONTACT_FIELDS))
    if others:
        raise PermissionDenied(identity_refusal_message(others))
    if not structure.get_abilities(by)["update"]:
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    for field, value in fields.items():
        setattr(structure, field, value)
    structure.full_clean()
    structure.save(update_fields=[*fields, "updated_at"])


def structure_change_identity(
    *, structure: Structure, by: User, reason: str, **changes: Any
) -> StructureIdentityChange | None:
    """ANCT changes what a structure is (SIRET, département, type, territorial flags), with a
    reason; each change is logged from → to in an append-only table. None if nothing changed."""
    if not structure.get_abilities(by)["change_identity"]:
        raise PermissionDenied(identity_refusal_message(sorted(changes)))
    unknown = sorted(set(changes) - set(Structure.IDENTITY_FIELDS))
    if unknown:
        raise ValidationError(
            f"Champs inconnus de l'identité d'une structure : {', '.join(unknown)}."
        )
    if not reason.strip():
        raise ValidationError({"motif": "Indiquez le motif du changement d'identité."})
    with transaction.atomic():
        # Locked: two concurrent changes must each log the value the other left.
        locked = Structure.objects.select_for_update().get(pk=structure.pk)
        before = {field: _current(locked, field) for field in changes}
        for field, value in changes.items():
            setattr(locked, _attname(field), _stored(field, value))
        locked.full_clean()
        diff = {
            field: {"avant": before[field], "apres": _current(locked, field)}
            for field in changes
            if before[field] != _current(locked, field)
        }
        if not diff:
            return None
        locked.save(update_fields=[*diff, "updated_at"])
        entry = StructureIdentityChange.objects.create(
            structure=locked, by=by, reason=reason.strip(), changes=diff
        )
    structure.refresh_from_db()
    return entry


def _attname(field: str) -> str:
    return "departement_id" if field == "departement" else field


def _stored(field: str, value: Any) -> Any:
    """A value as the column holds it: the département by its code."""
    return value.pk if isinstance(value, Departement) else value


def _current(structure: Structure, field: str) -> Any:
    return getattr(structure, _attname(field))
