"""Rights over the shared referential that no single row carries: creating structures and
accounts. Keyed like every `get_abilities`, read by the services, the API and the pages."""

from __future__ import annotations

from core.models import User


class Administration:
    refusal = "Seule l'ANCT peut créer des structures et des comptes."

    def get_abilities(self, user: User) -> dict[str, bool]:
        anct = user.is_authenticated and user.scope.is_anct
        return {"structure_create": anct, "account_create": anct}


ADMINISTRATION = Administration()
