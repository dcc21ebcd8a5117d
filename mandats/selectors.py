"""Screen-specific reads of Aidants Connect, each in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Membership, Role, Structure, User
from mandats.models import (
    MANDAT_ROLES,
    AidantProfile,
    Autorisation,
    CarteTOTP,
    CarteTOTPStatus,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationStatus,
    JournalAction,
    JournalEntry,
    Mandat,
    Usager,
    fold_search,
)


def aidant_organisations(user: User) -> QuerySet[Structure]:
    """The organisations where the person works under mandates (aidant or référent)."""
    return Structure.objects.filter(pk__in=user.scope.structure_ids(*MANDAT_ROLES)).order_by("name")


def current_organisation(user: User) -> Structure | None:
    """The organisation chosen last, while the person still belongs to it; else the first one."""
    organisations = aidant_organisations(user)
    chosen = (
        AidantProfile.objects.filter(user_id=user.pk)
        .values_list("current_organisation_id", flat=True)
        .first()
    )
    if chosen in user.scope.structure_ids(*MANDAT_ROLES):
        return organisations.filter(pk=chosen).first()
    return organisations.first()


def referent_organisation_ids(user: User) -> set[int]:
    """The organisations whose référent space the person may open."""
    return user.scope.structure_ids(Role.REFERENT)


def habilitation_of(organisation: Structure) -> HabilitatedOrganisation | None:
    return HabilitatedOrganisation.objects.filter(structure=organisation).first()


def usagers_with_active_mandats(
    *, organisation: Structure, search: str = "", at: datetime | None = None
) -> QuerySet[Usager]:
    """The usagers the organisation's aidants can act for, by name, each with `active_mandats`
    (the soonest to expire first) and, on each mandate, `active_autorisations`: three queries a
    page, whatever the volume.

    The organisation's usagers are found first, from its active mandates (index on organisation
    and expiry), then read by primary key (`core.lookups.Among`): never from the national table
    of usagers. Each searched word is looked for in the folded names (`Usager.search_name`),
    which a trigram index serves on PostgreSQL: the cost follows the organisation, not the
    country."""
    active = Mandat.objects.active(at).for_organisation(organisation)
    usagers = Usager.objects.filter(pk__among=active.values("usager_id").order_by())
    for word in fold_search(search).split():
        usagers = usagers.filter(search_name__contains=word)
    autorisations = Autorisation.objects.filter(revoked_at__isnull=True).order_by("demarche")
    return usagers.prefetch_related(
        Prefetch(
            "mandats",
            queryset=active.order_by("expires_at", "pk").prefetch_related(
                Prefetch("autorisations", queryset=autorisations, to_attr="active_autorisations")
            ),
            to_attr="active_mandats",
        )
    ).order_by("family_name", "given_names", "pk")


def usager_mandats(*, usager: Usager, user: User) -> QuerySet[Mandat]:
    """Every mandate of the usager the person may see, newest first, with their autorisations."""
    return (
        Mandat.objects.visible_to(user)
        .filter(usager=usager)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("autorisations", queryset=Autorisation.objects.order_by("demarche"))
        )
        .order_by("-created_at", "-pk")
    )


def organisation_aidants(organisation: Structure) -> QuerySet[Membership]:
    """The organisation's aidants, active or not, each with `has_totp`, `works_elsewhere` and
    `last_activity` (the later of their last login and their last journal entry in this
    organisation): one query whatever the team's size."""
    has_device = TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)
    elsewhere = Membership.objects.filter(user=OuterRef("user_id")).exclude(
        structure=OuterRef("structure_id")
    )
    held = CarteTOTP.objects.filter(aidant=OuterRef("user_id"), status=CarteTOTPStatus.ASSOCIATED)
    last_entry = (
        JournalEntry.objects.filter(
            actor=OuterRef("user_id"), organisation=OuterRef("structure_id")
        )
        .order_by()
        .values("actor")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return (
        Membership.objects.filter(structure=organisation, role=Role.AIDANT)
        .select_related("user")
        .annotate(
            has_totp=Exists(has_device),
            works_elsewhere=Exists(elsewhere),
            last_journal_at=Subquery(last_entry),
            carte_id=Subquery(held.values("pk")[:1]),
            carte_serial=Subquery(held.values("serial_number")[:1]),
        )
        .annotate(last_activity=_later("last_journal_at", "user__last_login"))
        .order_by("-user__is_active", "user__last_name", "user__first_name", "pk")
    )


def _later(first: str, second: str) -> Greatest:
    # Greatest is NULL on SQLite as soon as one side is: each side falls back on the other.
    return Greatest(Coalesce(first, second), Coalesce(second, first))


def cartes_stock() -> QuerySet[CarteTOTP]:
    """Every card, for the ANCT: the stock first, then the associated and the lost ones."""
    return CarteTOTP.objects.select_related("organisation", "aidant").order_by(
        "status", "serial_number"
    )


def cartes_counts() -> dict[str, int]:
    counts = dict(CarteTOTP.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return {status: counts.get(status, 0) for status in CarteTOTPStatus.values}


def organisation_habilitation_requests(organisation: Structure) -> QuerySet[HabilitationRequest]:
    return HabilitationRequest.objects.filter(organisation_id=organisation.pk).order_by(
        "-created_at", "-pk"
    )


def pending_habilitation_requests() -> QuerySet[HabilitationRequest]:
    return (
        HabilitationRequest.objects.filter(status=HabilitationStatus.SUBMITTED)
        .select_related("organisation__structure", "submitted_by")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class UsesSummary:
    count: int
    last_used_at: datetime | None


def uses_summaries(mandats: list[Mandat]) -> dict[int, UsesSummary]:
    """How often and when last each mandate was used, from the journal: one grouped query on
    the indexed mandat_id, whatever the journal's size."""
    rows = (
        _uses(usager_ids={m.usager_id for m in mandats})
        .filter(mandat_id__in=[m.pk for m in mandats])
        .values("mandat_id")
        .annotate(count=Count("pk"), last=Max("created_at"))
        .order_by()
    )
    found = {row["mandat_id"]: UsesSummary(row["count"], row["last"]) for row in rows}
    return {m.pk: found.get(m.pk, UsesSummary(0, None)) for m in mandats}


def mandat_uses(mandat: Mandat) -> QuerySet[JournalEntry]:
    """Every use of one mandate, newest first, with the organisation and aidant; paginate it and
    name the services with `service_names`."""
    return (
        _uses(usager_ids={mandat.usager_id})
        .filter(mandat_id=mandat.pk)
        .select_related("organisation", "actor")
        .order_by("-created_at", "-pk")
    )


def _uses(*, usager_ids: set[int]) -> QuerySet[JournalEntry]:
    # The usager id too: a journal row naming this mandate for someone else is never shown.
    return JournalEntry.objects.filter(
        action=JournalAction.AUTORISATION_USED, usager_id__in=usager_ids
    )


def service_names(entries: Iterable[JournalEntry]) -> dict[str, str]:
    """The public services' names by client_id (the journal keeps the id): one query. A service
    since removed keeps its id as its name."""
    client_ids = {str(e.details.get("service", "")) for e in entries} - {""}
    # Looked up by name: the identity provider builds on this app, not the other way round.
    relying_party = apps.get_model("idp", "RelyingParty")
    names = dict(
        relying_party.objects.filter(client_id__in=client_ids).values_list("client_id", "name")
    )
    return {client_id: names.get(client_id, client_id) for client_id in client_ids}
