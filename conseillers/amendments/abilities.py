"""The rights on amendment requests that no request row carries yet: asking for one."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Role, Structure, User


class AmendmentProgramme:
    """Who reaches the amendment pages at all: the rest is each request's `get_abilities`."""

    refusal = "Seul un gestionnaire de structure peut demander un avenant."

    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        manager = bool(scope.structure_ids(Role.GESTIONNAIRE))
        return {
            "list": scope.is_anct or bool(scope.departement_codes) or manager,
            "request_submit": manager,
        }


AMENDMENTS = AmendmentProgramme()


@dataclass(frozen=True)
class StructureAmendments:
    """What a person may ask for one structure."""

    structure: Structure

    def get_abilities(self, user: User) -> dict[str, bool]:
        manager = user.scope.has_structure_role(self.structure.pk, Role.GESTIONNAIRE)
        return {"request_submit": manager}
