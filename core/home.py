"""What each role can do, as shown on the home page."""

from dataclasses import dataclass

from django.urls import reverse

from core.models import Role, User


@dataclass(frozen=True)
class Action:
    label: str
    description: str
    url_name: str | None = None

    @property
    def url(self) -> str | None:
        return reverse(self.url_name) if self.url_name else None


ROLE_ACTIONS: dict[str, list[Action]] = {
    Role.ANCT: [
        Action(
            "Structures", "Consulter toutes les structures et leurs équipes.", "core:structure-list"
        ),
        Action(
            "Territoires",
            "Consulter les départements, leur population et leur région.",
            "core:departement-list",
        ),
        Action(
            "Administration", "Gérer les comptes, les rôles et le tableau des SMIC.", "admin:index"
        ),
    ],
    Role.PREFECTURE: [
        Action(
            "Structures de mon territoire",
            "Consulter les structures de votre territoire avant de rendre un avis.",
            "core:structure-list",
        ),
    ],
    Role.GESTIONNAIRE: [
        Action(
            "Ma structure",
            "Consulter la fiche de votre structure et son équipe.",
            "core:structure-list",
        ),
    ],
    Role.CONSEILLER: [
        Action("Mon parcours", "Consulter votre contrat, votre formation et votre certification."),
    ],
    Role.AIDANT: [
        Action(
            "Mes organisations",
            "Consulter les organisations habilitées où vous accompagnez des usagers.",
            "core:structure-list",
        ),
    ],
    Role.REFERENT: [
        Action(
            "Mon organisation",
            "Consulter l'équipe d'aidants de votre organisation habilitée.",
            "core:structure-list",
        ),
    ],
}


def role_sections(user: User) -> list[dict]:
    return [
        {"role": role, "label": Role(role).label, "actions": ROLE_ACTIONS[role]}
        for role in user.roles
    ]
