"""The rights on activity reports that no `Activity` row carries: recording under a recruitment,
declaring a conseiller's absence. `Activity.get_abilities` answers for an existing record.
"""

from __future__ import annotations

from conseillers.models import OCCUPYING, Match
from core.models import Role, User

NOT_RECORDING = (
    "Seul le conseiller numérique en poste, ou un gestionnaire de sa structure, peut enregistrer"
    " son activité."
)
NOT_EMPLOYER = "Seul un gestionnaire de la structure employeuse peut déclarer une absence."


class RecruitmentActivity:
    """What a person may do with the activity of one recruitment (a `Match`)."""

    def __init__(self, match: Match) -> None:
        self.match = match

    def get_abilities(self, user: User) -> dict[str, bool]:
        match = self.match
        own = match.candidat.user_id is not None and match.candidat.user_id == user.pk
        manager = user.scope.has_structure_role(match.structure_id, Role.GESTIONNAIRE)
        in_post = match.state in OCCUPYING
        return {
            # A structure's tool records for its conseillers with the manager's API token.
            "record": (own or manager) and in_post,
            "list": own or manager or user.scope.is_anct,
            "exempt": manager,
        }
