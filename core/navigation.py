"""The site's map, declared once: the header menu and the breadcrumbs are both read from it.

Each `Page` names a URL, the words people see, who may see it (the same abilities the views check)
and the pages under it. A `Group` is a submenu of the header, not a page: it has no URL and the
breadcrumbs go through it. Top-level pages and the pages of a group are in the menu; the pages
under a page are reached from it (a detail from its list) and only show in the breadcrumbs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.urls import NoReverseMatch, reverse

from conseillers.abilities import PROGRAMME as CONSEILLERS
from conseillers.amendments.abilities import AMENDMENTS
from conseillers.coordination.abilities import COORDINATION
from conseillers.subsidy.abilities import SUBSIDY_PROGRAMME
from core.abilities import ADMINISTRATION
from core.models import Role, User
from mandats.abilities import PROGRAMME as AIDANTS_CONNECT

Person = User | AnonymousUser
Check = Callable[[Person], bool]


def everyone(user: Person) -> bool:
    return True


def logged_in(user: Person) -> bool:
    return user.is_authenticated


def any_role(*roles: str) -> Check:
    return lambda user: isinstance(user, User) and bool(set(user.roles) & set(roles))


def programme(ability: str) -> Check:
    return lambda user: isinstance(user, User) and CONSEILLERS.get_abilities(user)[ability]


def subsidy(ability: str) -> Check:
    return lambda user: isinstance(user, User) and SUBSIDY_PROGRAMME.get_abilities(user)[ability]


def amendments(ability: str) -> Check:
    return lambda user: isinstance(user, User) and AMENDMENTS.get_abilities(user)[ability]


def coordination(ability: str) -> Check:
    return lambda user: isinstance(user, User) and COORDINATION.get_abilities(user)[ability]


def administration(ability: str) -> Check:
    return lambda user: isinstance(user, User) and ADMINISTRATION.get_abilities(user)[ability]


def aidants_connect(ability: str) -> Check:
    return lambda user: AIDANTS_CONNECT.get_abilities(user)[ability]


@dataclass(frozen=True)
class Page:
    url_name: str
    label: str
    may: Check = logged_in
    children: tuple[Page, ...] = ()
    query: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    pages: tuple[Page, ...] = field(default_factory=tuple)


# Who runs the subsidy: the subsidy pages of ANCT.
_SUBSIDY_ANCT = (
    Page("conseillers:subsidy-approvals", "Tranches à valider", subsidy("approvals_view")),
    Page(
        "conseillers:subsidy-orders",
        "Ordres de paiement",
        subsidy("payment_orders_view"),
        children=(
            Page("conseillers:subsidy-order-pay", "Paiement"),
            Page(
                "conseillers:subsidy-notices",
                "Importer les avis de paiement",
                subsidy("payment_record"),
            ),
        ),
    ),
    Page(
        "conseillers:subsidy-recoveries",
        "Reversements",
        subsidy("recoveries_view"),
        children=(Page("conseillers:subsidy-recovery-action", "Reversement"),),
    ),
    Page(
        "conseillers:subsidy-conventions",
        "Conventions",
        subsidy("conventions_view"),
        children=(Page("conseillers:subsidy-convention-sign", "Signature"),),
    ),
    Page(
        "conseillers:subsidy-regimes",
        "Régimes de subvention",
        subsidy("regimes_view"),
        children=(Page("conseillers:subsidy-regime-default", "Régime par défaut"),),
    ),
    Page("conseillers:subsidy-budget", "Budget", subsidy("budget_view")),
)

NAVIGATION: tuple[Page | Group, ...] = (
    Page("core:home", "Accueil", everyone),
    Page(
        "conseillers:candidature-list",
        "Candidatures",
        any_role(Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE),
        children=(
            Page("conseillers:candidature-detail", "Candidature"),
            Page("conseillers:candidature-action", "Candidature"),
            Page(
                "conseillers:candidature-create",
                "Nouvelle candidature",
                programme("candidature_submit"),
            ),
        ),
    ),
    Page(
        "conseillers:amendment-list",
        "Demandes d'avenant",
        amendments("list"),
        children=(
            Page("conseillers:amendment-detail", "Demande d'avenant"),
            Page("conseillers:amendment-action", "Demande d'avenant"),
            Page(
                "conseillers:amendment-create", "Demander un avenant", amendments("request_submit")
            ),
        ),
    ),
    Page("conseillers:my-career", "Mon parcours", any_role(Role.CONSEILLER)),
    Page(
        "conseillers:activity",
        "Mon activité",
        any_role(Role.CONSEILLER),
        children=(
            Page("conseillers:activity-edit", "Modifier un compte rendu"),
            Page("conseillers:activity-delete", "Supprimer un compte rendu"),
            Page(
                "conseillers:activity-import",
                "Importer des comptes rendus",
                children=(Page("conseillers:activity-template", "Fichier modèle"),),
            ),
        ),
    ),
    Group(
        "Recrutements",
        (
            Page(
                "conseillers:recruitment",
                "Candidats et postes",
                programme("recruitment_view"),
                children=(
                    Page("conseillers:candidat-interest", "Intérêt pour un candidat"),
                    Page("conseillers:proposals-refresh", "Actualiser les propositions"),
                ),
            ),
            Page(
                "conseillers:match-list",
                "Mises en relation",
                any_role(Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE, Role.CONSEILLER),
                children=(
                    Page("conseillers:match-detail", "Mise en relation"),
                    Page("conseillers:match-action", "Mise en relation"),
                ),
            ),
            Page(
                "conseillers:extension-list",
                "Prolongations de contrat",
                any_role(Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE),
                children=(
                    Page("conseillers:extension-detail", "Prolongation"),
                    Page("conseillers:extension-action", "Prolongation"),
                    Page("conseillers:extension-request", "Demander une prolongation"),
                ),
            ),
            Page(
                "conseillers:coordination-list",
                "Coordination",
                coordination("list_view"),
                children=(
                    Page("conseillers:coordination-detail", "Groupe d'un coordinateur"),
                    Page("conseillers:coordination-attach", "Rattacher un conseiller"),
                    Page("conseillers:coordination-detach", "Détacher un conseiller"),
                ),
            ),
            Page(
                "conseillers:activity-exemptions",
                "Absences des conseillers",
                any_role(Role.GESTIONNAIRE),
                children=(Page("conseillers:activity-exemption-delete", "Supprimer une absence"),),
            ),
            Page(
                "conseillers:candidat-register",
                "Inscrire un candidat",
                programme("candidat_register_for_others"),
            ),
        ),
    ),
    Group(
        "Territoires",
        (
            Page(
                "conseillers:dashboard",
                "Tableau de bord",
                programme("dashboard_view"),
                children=(
                    Page("conseillers:dashboard-region", "Région"),
                    Page("conseillers:dashboard-departement", "Département"),
                ),
            ),
            Page(
                "conseillers:envelopes",
                "Enveloppes",
                programme("envelopes_view"),
                children=(
                    Page(
                        "conseillers:envelope-proposal",
                        "Proposition de répartition",
                        programme("proposal_make"),
                        children=(Page("conseillers:envelope-apply", "Application"),),
                    ),
                    Page(
                        "conseillers:redistribution",
                        "Redistribution des postes",
                        programme("redistribute"),
                    ),
                ),
            ),
            Page(
                "conseillers:activity-stats",
                "Statistiques d'activité",
                any_role(Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE, Role.CONSEILLER),
            ),
            Page("core:departement-list", "Départements et régions"),
            Page("core:commune-search", "Rechercher une commune"),
        ),
    ),
    Group(
        "Subventions",
        (
            Page(
                "conseillers:subsidy-overview",
                "Subventions de ma structure",
                any_role(Role.GESTIONNAIRE),
                children=(
                    Page("conseillers:subsidy-tranche", "Tranche"),
                    Page("conseillers:subsidy-tranche-action", "Tranche"),
                ),
            ),
            *_SUBSIDY_ANCT,
            Page(
                "conseillers:subsidy-renewals",
                "Reconventionnement",
                subsidy("renewals_view"),
                children=(
                    Page(
                        "conseillers:subsidy-renewal",
                        "Convention",
                        children=(
                            Page("conseillers:subsidy-renewal-initiate", "Demande"),
                            Page("conseillers:subsidy-renewal-action", "Décision"),
                        ),
                    ),
                ),
            ),
        ),
    ),
    Group(
        "Aidants Connect",
        (
            Page(
                "mandats:usager-list",
                "Mes usagers",
                aidants_connect("sign_mandats"),
                children=(
                    Page("mandats:usager-detail", "Usager"),
                    Page("mandats:mandat-revoke", "Révoquer un mandat"),
                    Page("mandats:mandat-renew", "Renouveler un mandat"),
                    Page("mandats:autorisation-revoke", "Révoquer une autorisation"),
                    Page("mandats:attestation", "Attestation de mandat"),
                ),
            ),
            Page(
                "mandats:mandat-new",
                "Nouveau mandat",
                aidants_connect("sign_mandats"),
                children=(
                    Page("mandats:mandat-new-confirm", "Récapitulatif"),
                    Page("mandats:mandat-new-franceconnect", "Connexion de l'usager"),
                ),
            ),
            Page(
                "mandats:organisation-switch",
                "Changer d'organisation",
                aidants_connect("sign_mandats"),
            ),
            Page(
                "mandats:referent-index",
                "Espace référent",
                aidants_connect("open_referent_space"),
                children=(
                    Page(
                        "mandats:referent-organisation",
                        "Organisation",
                        children=(
                            Page("mandats:habilitation-request-new", "Demande d'habilitation"),
                            Page(
                                "mandats:referent-team",
                                "Équipe",
                                children=(
                                    Page("mandats:referent-aidant-action", "Aidant"),
                                    Page("mandats:referent-carte-associate", "Associer une carte"),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            Page(
                "mandats:cartes-stock",
                "Cartes TOTP",
                aidants_connect("manage_cartes"),
                children=(
                    Page("mandats:carte-lost", "Carte perdue"),
                    Page("mandats:carte-unlock", "Débloquer une carte"),
                ),
            ),
            Page(
                "mandats:organisation-requests",
                "Demandes des organisations",
                aidants_connect("decide_habilitations"),
                children=(
                    Page("mandats:organisation-request-detail", "Demande"),
                    Page("mandats:organisation-request-act", "Décision"),
                ),
            ),
            Page(
                "mandats:habilitation-decisions",
                "Demandes d'habilitation",
                aidants_connect("decide_habilitations"),
                children=(
                    Page("mandats:habilitation-validate", "Validation"),
                    Page("mandats:habilitation-refuse", "Refus"),
                ),
            ),
        ),
    ),
    Page(
        "core:structure-list",
        "Structures",
        any_role(Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE, Role.REFERENT),
        children=(
            Page(
                "core:structure-detail",
                "Structure",
                children=(
                    Page("core:structure-edit", "Modifier la structure"),
                    Page("core:structure-invite", "Inviter un collègue"),
                    Page(
                        "lieux:structure-lieux",
                        "Lieux",
                        children=(
                            Page("lieux:create", "Déclarer un lieu"),
                            Page("lieux:edit", "Modifier le lieu"),
                            Page("lieux:remove", "Retirer le lieu"),
                        ),
                    ),
                ),
            ),
            Page("core:structure-create", "Nouvelle structure", administration("structure_create")),
        ),
    ),
    Page("core:account-create", "Nouveau compte", administration("account_create")),
    Page(
        "lieux:map",
        "Carte des lieux",
        everyone,
        children=(Page("lieux:detail", "Lieu", everyone),),
    ),
)

# Pages open to all, outside the menu: the breadcrumbs still say where they are.
ELSEWHERE: tuple[Page, ...] = (
    Page(
        "core:account", "Mon compte", children=(Page("core:api-token-revoke", "Révoquer un jeton"),)
    ),
    Page("core:login", "Connexion", everyone),
    Page("core:password-request", "Mot de passe oublié", everyone),
    Page("core:password-sent", "Mot de passe oublié", everyone),
    Page("core:password-set", "Nouveau mot de passe", everyone),
    Page("core:password-done", "Mot de passe enregistré", everyone),
    Page("core:api-guide", "Guide de l'API", everyone),
    Page("core:accessibility", "Accessibilité", everyone),
    Page("core:legal-notice", "Mentions légales", everyone),
    Page("core:personal-data", "Données personnelles", everyone),
    Page("core:cookies", "Cookies", everyone),
    Page(
        "mandats:usager-space",
        "Mon espace usager",
        everyone,
        children=(
            Page("mandats:usager-mandat-uses", "Utilisations du mandat", everyone),
            Page("mandats:usager-mandat-revoke", "Révoquer un mandat", everyone),
            Page("mandats:usager-autorisation-revoke", "Révoquer une autorisation", everyone),
        ),
    ),
    Page("mandats:usager-login", "Connexion de l'usager", everyone),
    Page("mandats:totp-setup", "Activer la double authentification"),
    Page("mandats:totp-verify", "Code de sécurité"),
    Page("mandats:attestation-verify", "Vérifier une attestation", everyone),
    Page(
        "mandats:organisation-request-new",
        "Habiliter une organisation",
        everyone,
        children=(
            Page("mandats:organisation-request-page", "Suivi de la demande", everyone),
            Page("mandats:organisation-request-resend-link", "Recevoir le lien", everyone),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class MenuEntry:
    """A link of the header, or a submenu (`links`) when `url` is empty."""

    label: str
    url: str = ""
    current: bool = False
    links: tuple[Link, ...] = ()
    slug: str = ""


def _url(page: Page) -> str:
    return reverse(page.url_name) + page.query


def _visible(page: Page, user: Person) -> bool:
    if not page.may(user):
        return False
    try:
        _url(page)
    except NoReverseMatch:  # a page this deployment does not serve (the demo's, in production)
        return False
    return True


def _is_current(page: Page, current: str | None) -> bool:
    return current is not None and (
        page.url_name == current or any(_is_current(child, current) for child in page.children)
    )


def menu_for(user: Person, current: str | None) -> list[MenuEntry]:
    """The header's menu for this person; `current` is the URL name of the page shown."""
    menu: list[MenuEntry] = []
    for item in NAVIGATION:
        if isinstance(item, Page):
            if _visible(item, user):
                menu.append(MenuEntry(item.label, _url(item), _is_current(item, current)))
            continue
        links = tuple(
            Link(page.label, _url(page), _is_current(page, current))
            for page in item.pages
            if _visible(page, user)
        )
        if len(links) == 1:  # a submenu of one link is a detour
            menu.append(MenuEntry(links[0].label, links[0].url, links[0].current))
        elif links:
            slug = "menu-" + "".join(c if c.isalnum() else "-" for c in item.label.lower())
            menu.append(
                MenuEntry(
                    item.label,
                    current=any(_is_current(page, current) for page in item.pages),
                    links=links,
                    slug=slug,
                )
            )
    return menu


def pages() -> Iterator[tuple[Page, tuple[Page, ...]]]:
    """Every declared page with the pages above it, from the top."""

    def walk(page: Page, above: tuple[Page, ...]) -> Iterator[tuple[Page, tuple[Page, ...]]]:
        yield page, above
        for child in page.children:
            yield from walk(child, (*above, page))

    for item in NAVIGATION + ELSEWHERE:
        for page in item.pages if isinstance(item, Group) else (item,):
            yield from walk(page, ())


PAGES: dict[str, tuple[Page, tuple[Page, ...]]] = {
    page.url_name: (page, above) for page, above in pages()
}


def menu_pages_for(user: Person) -> list[str]:
    """The URL names of the menu's pages this person sees, each reachable from their home."""
    return [
        page.url_name
        for item in NAVIGATION
        for page in (item.pages if isinstance(item, Group) else (item,))
        if _visible(page, user)
    ]


def breadcrumb_for(
    user: Person, url_name: str | None, kwargs: dict, current_label: str | None
) -> list[Link]:
    """Accueil, the pages above the current one that this person may open, then the current page
    (its label given by the view when it names an object). Empty on the home page."""
    if url_name is None or url_name == "core:home":
        return []
    page, above = PAGES.get(url_name, (None, ()))
    trail = [Link("Accueil", reverse("core:home"))]
    for parent in above:
        if parent.url_name == "core:home" or not parent.may(user):
            continue
        url = _reverse_with(parent.url_name, kwargs)
        if url:
            trail.append(Link(parent.label, url))
    label = current_label or (page.label if page else "")
    if label:
        trail.append(Link(label, "", current=True))
    return trail


def _reverse_with(url_name: str, kwargs: dict) -> str | None:
    """A parent's URL, with the current page's arguments it takes (a structure's pk for its edit
    page's parent), or none."""
    for arguments in (kwargs, {k: v for k, v in kwargs.items() if k == "pk"}, {}):
        try:
            return reverse(url_name, kwargs=arguments)
        except NoReverseMatch:
            continue
    return None
