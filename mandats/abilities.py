"""Every right of Aidants Connect, in one place: what a person may do, keyed by action.

Each model answers `get_abilities(user)` from the functions below (`Mandat`, `Autorisation`,
`HabilitationRequest`, `HabilitatedOrganisation`); `OrganisationAbilities` speaks for a `Structure`
acting as organisation habilitée (the model lives in `core`), `PROGRAMME` for what is decided for
the whole programme. Services refuse with `PermissionDenied` when the key is false; views and
templates read the same keys. Rights depend on roles only: whether an object is still active is
the services' business (`ValidationError`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from core.models import Role, User, UserScope

Abilities = dict[str, bool]


def scope_of(user: User | AnonymousUser) -> UserScope:
    # An anonymous visitor reaches nothing, like an inactive account (`User.scope` says so).
    return user.scope if isinstance(user, User) else UserScope()


@dataclass(frozen=True)
class ProgrammeAbilities:
    """What is decided for Aidants Connect as a whole, not inside one organisation."""

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        scope = scope_of(user)
        return {
            # The ANCT instructs every habilitation request of every organisation.
            "decide_habilitations": scope.is_anct,
            # Mergers and moves of organisations: any mandate, to any organisation habilitée.
            "transfer_any_mandat": scope.is_anct,
            # Physical TOTP cards: the ANCT loads the stock and sees every association.
            "manage_cartes": scope.is_anct,
            # Menus: the pages a person has at least one organisation for.
            "sign_mandats": bool(scope.structure_ids(Role.AIDANT)),
            "open_referent_space": bool(scope.structure_ids(Role.REFERENT)),
        }


PROGRAMME = ProgrammeAbilities()


@dataclass(frozen=True)
class OrganisationAbilities:
    """What a person may do in one organisation habilitée (a `core.Structure`, by its id)."""

    organisation_id: int

    def get_abilities(self, user: User | AnonymousUser) -> Abilities:
        scope = scope_of(user)
        aidant = scope.has_structure_role(self.organisation_id, Role.AIDANT)
        referent = scope.has_structure_role(self.organisation_id, Role.REFERENT)
        return {
            # Work under the organisation's mandates, and choose it as current organisation.
            "work_in": aidant or referent,
            "sign_mandat": aidant,
            # Log into a public service for an usager of the organisation (the identity provider).
            "act_for_usagers": aidant,
            "open_referent_space": referent,
            # The ANCT may act for any organisation's référent.
            "update_demarches": scope.is_anct or referent,
            "request_habilitation": scope.is_anct or referent,
            # Between two organisations: the référent must hold this key in both.
            "transfer_mandats": referent,
            # The team: deactivate, reactivate, remove an aidant, associate or declare lost a
            # TOTP card. The référent only: the ANCT decides habilitations, not who stays.
            "manage_aidants": referent,
        }


def team_member_abilities(
    user: User | AnonymousUser,
    *,
    organisation_id: int,
    aidant_id: int,
    is_active: bool,
    works_elsewhere: bool,
) -> Abilities:
    """What the référent may do to one aidant of the team: an account is closed only when it
    serves this organisation alone; otherwise the aidant is only removed from it. Nobody acts on
    their own account here."""
    manage = OrganisationAbilities(organisation_id).get_abilities(user)["manage_aidants"]
    manage = manage and aidant_id != getattr(user, "pk", None)
    return {
        "deactivate": manage and is_active and not works_elsewhere,
        "reactivate": manage and not is_active,
        "remove": manage and works_elsewhere,
        "associate_card": manage and is_active,
    }


def carte_abilities(user: User | AnonymousUser, *, organisation_id: int | None) -> Abilities:
    """A card in stock belongs to the ANCT; once associated, to the organisation, whose référent
    may declare it lost (the ANCT too, from the stock page)."""
    scope = scope_of(user)
    referent = organisation_id is not None and scope.has_structure_role(
        organisation_id, Role.REFERENT
    )
    return {
        "view": scope.is_anct or referent,
        "declare_lost": scope.is_anct or referent,
        # Only the ANCT, which hands the cards out, knows whether a locked one is in good hands.
        "unlock_association": scope.is_anct,
    }


def mandat_abilities(user: User | AnonymousUser, *, organisation_id: int) -> Abilities:
    """A mandate binds the organisation, not one aidant: any of its aidants acts under it."""
    scope = scope_of(user)
    aidant = scope.has_structure_role(organisation_id, Role.AIDANT)
    referent = scope.has_structure_role(organisation_id, Role.REFERENT)
    return {
        # Mirrored by `Mandat.objects.visible_to()`: a test keeps the two in step.
        "view": aidant or referent,
        "use": aidant,
        "revoke": aidant or referent,
        "renew": aidant,
    }


def may_transfer_mandat(
    user: User | AnonymousUser, *, from_organisation_id: int, to_organisation_id: int
) -> bool:
    """Moving a mandate involves two organisations, so no single model's abilities decide it."""
    if PROGRAMME.get_abilities(user)["transfer_any_mandat"]:
        return True
    return all(
        OrganisationAbilities(pk).get_abilities(user)["transfer_mandats"]
        for pk in (from_organisation_id, to_organisation_id)
    )


def autorisation_abilities(user: User | AnonymousUser, *, organisation_id: int) -> Abilities:
    mandat = mandat_abilities(user, organisation_id=organisation_id)
    return {"view": mandat["view"], "use": mandat["use"], "revoke": mandat["revoke"]}


def usager_mandat_abilities(*, mandat_usager_id: int, usager_id: int | None) -> Abilities:
    """The usager, logged in with FranceConnect, may end their own mandate at any time."""
    own = usager_id is not None and mandat_usager_id == usager_id
    return {"revoke": own}


def habilitation_request_abilities(user: User | AnonymousUser) -> Abilities:
    # Any request, whatever its organisation: the decision is national.
    decide = PROGRAMME.get_abilities(user)["decide_habilitations"]
    return {"validate": decide, "refuse": decide}


def organisation_request_abilities(user: User | AnonymousUser) -> Abilities:
    """The ANCT instructs every organisation's request; the requester acts through the link
    sent to their confirmed address, not through an account (mandats.organisations)."""
    decide = scope_of(user).is_anct
    return {
        "view": decide,
        "instruct": decide,
        "request_changes": decide,
        "validate": decide,
        "refuse": decide,
        "close": decide,
    }
