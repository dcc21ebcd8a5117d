"""Who may read the dashboard, and over which départements."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import PrefectureAgent, User

NATIONAL_NAME = "France entière"
TERRITORY_NAME = "Total de votre territoire"


@dataclass(frozen=True, slots=True)
class DashboardScope:
    # None: every département, the national dashboard of ANCT.
    departement_codes: frozenset[str] | None
    # Name of the total row: the nation, or a préfecture's territory labelled as such.
    total_name: str
    description: str

    @property
    def is_national(self) -> bool:
        return self.departement_codes is None


def dashboard_scope(user: User) -> DashboardScope | None:
    """ANCT sees the country; a préfecture agent its département or région; nobody else."""
    scope = user.scope
    if scope.is_anct:
        return DashboardScope(None, NATIONAL_NAME, "France entière (tous les départements).")
    if not scope.departement_codes:
        return None
    agent = PrefectureAgent.objects.select_related("departement", "region").get(user=user)
    return DashboardScope(
        scope.departement_codes,
        TERRITORY_NAME,
        f"Votre territoire : {agent.territory_label}. Les totaux et la répartition "
        "proportionnelle portent sur ce seul territoire.",
    )
