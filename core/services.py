"""Writes of the shared referential: API tokens and structures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core import outbox
from core.models import (
    ApiToken,
    Departement,
    Membership,
    PrefectureAgent,
    Region,
    Role,
    Structure,
    StructureIdentityChange,
    User,
)
from core.validators import compact_identifier, validate_structure_identifier

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


# --- Structures and accounts created by ANCT, colleagues invited by a manager --------------------

ACCOUNT_WELCOME_TASK = "core.tasks.send_account_welcome_email"
# The roles an account is created with here; aidants and référents come from an habilitation
# (Aidants Connect), conseillers from their registration as candidates.
ACCOUNT_ROLES = (Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE)


def _require_administration(ability: str, by: User) -> None:
    from core.abilities import ADMINISTRATION

    if not ADMINISTRATION.get_abilities(by)[ability]:
        raise PermissionDenied(ADMINISTRATION.refusal)


def duplicate_structure_message(existing: Structure) -> str:
    return (
        f"Une structure porte déjà ce SIRET : « {existing.name} » (n° {existing.pk}, page "
        f"/structures/{existing.pk}/, API /api/structures/{existing.pk}/). Une structure n'existe "
        "qu'une fois : candidatez ou invitez ses gestionnaires depuis celle-ci."
    )


def structure_create(*, by: User, siret: str, departement: Departement, **fields: Any) -> Structure:
    """A new structure, its SIRET checked (Luhn, RIDET in New Caledonia) and never twice: a
    duplicate is refused with a link to the existing one rather than silently created."""
    _require_administration("structure_create", by)
    siret = compact_identifier(siret)
    try:
        validate_structure_identifier(siret, departement.code)
    except ValidationError as error:
        raise ValidationError({"siret": error.messages}) from error
    with transaction.atomic():
        existing = Structure.objects.select_for_update().filter(siret=siret).first()
        if existing is not None:
            raise ValidationError({"siret": duplicate_structure_message(existing)})
        structure = Structure(siret=siret, departement=departement, **fields)
        # The unique index decides: the lock above holds no row when the SIRET is new, so a
        # concurrent creation of the same SIRET is only seen when this insert waits for it.
        structure.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                structure.save()
        except IntegrityError:
            existing = Structure.objects.filter(siret=siret).first()
            if existing is None:
                raise
            raise ValidationError({"siret": duplicate_structure_message(existing)}) from None
    return structure


def account_create(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    structure: Structure | None = None,
    departement: Departement | None = None,
    region: Region | None = None,
) -> User:
    """An account with its role and scope; the person receives a single-use link to choose
    their password (the same link as « mot de passe oublié »)."""
    _require_administration("account_create", by)
    _check_scope(role, structure, departement, region)
    with transaction.atomic():
        user = _new_user(email, first_name, last_name)
        if role == Role.ANCT:
            user.is_anct = True
            user.save(update_fields=["is_anct"])
        elif role == Role.PREFECTURE:
            PrefectureAgent.objects.create(user=user, departement=departement, region=region)
        elif structure is not None:  # a gestionnaire (_check_scope)
            Membership.objects.create(user=user, structure=structure, role=role)
        outbox.enqueue(ACCOUNT_WELCOME_TASK, user.pk, by.pk)
    return user


def structure_invite_manager(
    *, structure: Structure, email: str, first_name: str, last_name: str, by: User
) -> User:
    """A manager brings in a colleague as manager of the same structure: a new account with a
    link to choose a password, or the role added to an existing account (told by email)."""
    if not structure.get_abilities(by)["invite_manager"]:
        raise PermissionDenied("Seuls les gestionnaires de la structure et l'ANCT invitent.")
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            user = _new_user(email, first_name, last_name)
        elif Membership.objects.filter(
            user=user, structure=structure, role=Role.GESTIONNAIRE
        ).exists():
            raise ValidationError({"email": "Cette personne gère déjà la structure."})
        Membership.objects.create(user=user, structure=structure, role=Role.GESTIONNAIRE)
        outbox.enqueue(ACCOUNT_WELCOME_TASK, user.pk, by.pk, structure.pk)
    return user


def _check_scope(
    role: str, structure: Structure | None, departement: Departement | None, region: Region | None
) -> None:
    if role not in ACCOUNT_ROLES:
        allowed = ", ".join(ACCOUNT_ROLES)
        raise ValidationError(
            {"role": f"Rôle « {role} » impossible ici. Rôles possibles : {allowed}."}
        )
    if role == Role.PREFECTURE and (departement is None) == (region is None):
        raise ValidationError(
            {"departement": "Un agent de préfecture a un département ou une région, pas les deux."}
        )
    if role == Role.GESTIONNAIRE and structure is None:
        raise ValidationError({"structure": "Indiquez la structure que la personne gère."})
    if role != Role.GESTIONNAIRE and structure is not None:
        raise ValidationError({"structure": "Seul un gestionnaire est rattaché à une structure."})
    if role != Role.PREFECTURE and (departement or region):
        raise ValidationError(
            {"departement": "Seul un agent de préfecture a un territoire (département ou région)."}
        )


def _new_user(email: str, first_name: str, last_name: str) -> User:
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà avec cette adresse électronique."})
    # No password yet: the person chooses one with the single-use link of the welcome email.
    try:
        with transaction.atomic():
            return User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
    except IntegrityError:
        # The same address created at the same moment by another request (unique index).
        raise ValidationError(
            {"email": "Un compte existe déjà avec cette adresse électronique."}
        ) from None
