"""The programme's rights that no row of its own carries.

Each model of the programme answers `get_abilities(user)` for the rights on one of its rows
(`Candidature`, `Match`, `Training`). Two kinds of right have no such row: the programme-wide
actions only ANCT takes (envelopes, apportionment, redistribution, trainings), and what a person
may do for a host structure (apply for it, recruit for it, receive a transfer of its posts). They
are here, keyed the same way, so that views, the API and the services read every right from a
`get_abilities`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import PermissionDenied

from conseillers.formatting import FORBIDDEN
from core.models import Role, Structure, User


class HasAbilities(Protocol):
    """A model's row, or an object holding the rights no row carries."""

    def get_abilities(self, user: User) -> Mapping[str, bool]: ...


def require(holder: HasAbilities, ability: str, by: User, refusal: str = FORBIDDEN) -> None:
    """Refuses unless the holder's `get_abilities` grants the key: the services' one test of a
    right (they call it again under the row lock, whatever the view checked)."""
    if not holder.get_abilities(by).get(ability, False):
        raise PermissionDenied(refusal)


class ProgrammeAbilities:
    """The programme-wide rights: no single application or match carries them."""

    refusal = "Seule l'ANCT peut effectuer cette action."

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        anct = scope.is_anct
        manager = bool(scope.structure_ids(Role.GESTIONNAIRE))
        return {
            # ANCT reads the national dashboard, a préfecture the one of its territory.
            "dashboard_view": anct or bool(scope.departement_codes),
            "envelopes_view": anct,
            "envelope_set": anct,
            "proposal_make": anct,
            "proposal_apply": anct,
            "redistribute": anct,
            "training_record": anct,
            "trainings_view_all": anct,
            # ANCT may register a person as a candidate on their behalf; others register themselves.
            "candidat_register_for_others": anct,
            # A manager of at least one structure applies and recruits for the ones they manage.
            "candidature_submit": manager,
            "recruitment_view": manager,
        }


PROGRAMME = ProgrammeAbilities()


@dataclass(frozen=True)
class StructureAbilities:
    """What a person may do in the programme for one host structure."""

    structure: Structure

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        manager = scope.has_structure_role(self.structure.pk, Role.GESTIONNAIRE)
        return {
            "candidature_submit": manager,
            "candidats_view": manager,
            "match_mark_interest": manager,
            "proposals_refresh": manager,
            # A préfecture proposes to transfer posts only to a structure of its own territory.
            "transfer_receive": self.structure.departement_id in scope.departement_codes,
        }
