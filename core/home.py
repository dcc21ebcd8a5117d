"""What each role can do, as shown on the home page."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.models import Role, User


@dataclass(frozen=True)
class Action:
    label: str
    description: str
    url_name: str | None = None
    query: str = ""

    @property
    def url(self) -> str | None:
        return reverse(self.url_name) + self.query if self.url_name else None


ROLE_ACTIONS: dict[str, list[Action]] = {
    Role.ANCT: [
        Action(
            "Candidatures",
            "Examiner les candidatures des structures et décider (COSELEC).",
            "conseillers:candidature-list",
        ),
        Action(
            "Enveloppes",
            "Fixer les enveloppes départementales, proposer une répartition, "
            "redistribuer les postes rendus.",
            "conseillers:envelopes",
        ),
        Action(
            "Recrutements à valider",
            "Valider les recrutements saisis par les structures.",
            "conseillers:match-list",
            "?etat=recrutee",
        ),
        Action(
            "Ruptures à valider",
            "Valider les ruptures de contrat déclarées.",
            "conseillers:match-list",
            "?etat=nouvelle_rupture",
        ),
        Action(
            "Structures", "Consulter toutes les structures et leurs équipes.", "core:structure-list"
        ),
        Action(
            "Administration", "Gérer les comptes, les rôles et le tableau des SMIC.", "admin:index"
        ),
    ],
    Role.PREFECTURE: [
        Action(
            "Candidatures de mon territoire",
            "Donner l'avis de la préfecture sur les candidatures en attente.",
            "conseillers:candidature-list",
        ),
        Action(
            "Structures de mon territoire",
            "Consulter les structures de votre territoire.",
            "core:structure-list",
        ),
    ],
    Role.GESTIONNAIRE: [
        Action(
            "Mes candidatures",
            "Déposer une candidature et suivre la décision.",
            "conseillers:candidature-list",
        ),
        Action(
            "Recrutement",
            "Consulter les candidats, saisir les contrats, déclarer une rupture.",
            "conseillers:recruitment",
        ),
        Action(
            "Ma structure",
            "Consulter la fiche de votre structure et son équipe.",
            "core:structure-list",
        ),
        Action(
            "Absences des conseillers",
            "Déclarer les congés et absences : ils ne sont pas relancés pour ces jours.",
            "conseillers:activity-exemptions",
        ),
    ],
    Role.CONSEILLER: [
        Action(
            "Mon activité",
            "Enregistrer un accompagnement ou un atelier, retrouver vos comptes rendus.",
            "conseillers:activity",
        ),
        Action(
            "Mon parcours", "Consulter votre contrat et son historique.", "conseillers:match-list"
        ),
    ],
    Role.AIDANT: [
        Action(
            "Mes usagers",
            "Retrouver les usagers sous mandat, leurs autorisations, révoquer ou renouveler.",
            "mandats:usager-list",
        ),
        Action(
            "Nouveau mandat",
            "Créer un mandat avec un usager, qui le signe avec FranceConnect.",
            "mandats:mandat-new",
        ),
        Action(
            "Changer d'organisation",
            "Choisir l'organisation pour laquelle vous agissez.",
            "mandats:organisation-switch",
        ),
    ],
    Role.REFERENT: [
        Action(
            "Espace référent",
            "Gérer les aidants, les demandes d'habilitation et les "
            "démarches autorisées de votre organisation.",
            "mandats:referent-index",
        ),
    ],
}


def role_sections(user: User) -> list[dict]:
    return [
        {"role": role, "label": Role(role).label, "actions": _mounted(ROLE_ACTIONS[role])}
        for role in user.roles
    ]


def _mounted(actions: list[Action]) -> list[Action]:
    """Leaves out the pages this deployment does not serve (the demo's actors in production)."""
    mounted = []
    for action in actions:
        try:
            action.url  # noqa: B018 - reversing is the check
        except NoReverseMatch:
            continue
        mounted.append(action)
    return mounted
