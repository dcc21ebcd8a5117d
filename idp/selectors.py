"""Reads of the authorization page, in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.models import Structure
from idp.models import RelyingParty
from mandats.models import Autorisation, Usager


@dataclass
class UsagerChoice:
    usager: Usager
    autorisations: list[Autorisation] = field(default_factory=list)


def delegation_choices(
    *, organisation: Structure, client: RelyingParty, demarches: Iterable[str] | None = None
) -> list[UsagerChoice]:
    """The usagers with an active mandate in `organisation`, each with its active autorisations
    for the démarches `client` is allowed (and, when given, among `demarches`): one query."""
    allowed = set(client.demarches)
    if demarches is not None:
        allowed &= set(demarches)
    autorisations = (
        Autorisation.objects.active()
        .filter(mandat__organisation=organisation, demarche__in=allowed)
        .select_related("mandat__usager")
        .order_by("mandat__usager__family_name", "mandat__usager__given_names", "demarche")
    )
    choices: dict[int, UsagerChoice] = {}
    for autorisation in autorisations:
        usager = autorisation.mandat.usager
        choices.setdefault(usager.pk, UsagerChoice(usager)).autorisations.append(autorisation)
    return list(choices.values())


def chosen_autorisation(choices: list[UsagerChoice], autorisation_id: str) -> Autorisation | None:
    for choice in choices:
        for autorisation in choice.autorisations:
            if str(autorisation.pk) == autorisation_id:
                return autorisation
    return None
