"""The coordination's rights that no group carries: whether the menu leads to it at all. The
rights on one group are `models.CoordinatorGroup`, on one attachment `Coordination`."""

from __future__ import annotations

from core.models import User

from .models import Coordination
from .selectors import coordinators_visible_to


class CoordinationAbilities:
    def get_abilities(self, user: User) -> dict[str, bool]:
        scope = user.scope
        involved = scope.is_anct or bool(scope.departement_codes)
        if not involved and user.is_authenticated:
            # A manager or a conseiller reaches it when a group concerns them.
            involved = (
                coordinators_visible_to(user).exists()
                or Coordination.objects.current().filter(conseiller__candidat__user=user).exists()
            )
        return {"list_view": involved}


COORDINATION = CoordinationAbilities()
