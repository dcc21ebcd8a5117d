from typing import TypedDict

from django.http import HttpRequest
from django.urls import reverse

from core.models import Role

# The same on every page, error pages rendered without context processors included.
SKIPLINKS = [
    {"link": "#content", "label": "Contenu"},
    {"link": "#fr-navigation", "label": "Menu"},
    {"link": "#footer", "label": "Pied de page"},
]


class MenuItem(TypedDict, total=False):
    label: str
    url: str
    current: bool


def navigation(request: HttpRequest) -> dict:
    """Skip links and the main menu, the same on every page and filtered by the person's roles."""
    user = request.user
    menu: list[MenuItem] = [{"label": "Accueil", "url": reverse("core:home")}]
    if user.is_authenticated:
        roles = set(user.roles)
        if roles & {Role.ANCT, Role.PREFECTURE, Role.GESTIONNAIRE}:
            menu.append({"label": "Candidatures", "url": reverse("conseillers:candidature-list")})
        if Role.GESTIONNAIRE in roles:
            menu.append({"label": "Recrutement", "url": reverse("conseillers:recruitment")})
            menu.append({"label": "Subventions", "url": reverse("conseillers:subsidy-overview")})
        if roles & {Role.ANCT, Role.PREFECTURE}:
            menu.append({"label": "Tableau de bord", "url": reverse("conseillers:dashboard")})
        if Role.ANCT in roles:
            menu.append({"label": "Enveloppes", "url": reverse("conseillers:envelopes")})
            menu.append({"label": "Recrutements", "url": reverse("conseillers:match-list")})
            menu.append({"label": "Subventions", "url": reverse("conseillers:subsidy-approvals")})
        if roles & {Role.AIDANT, Role.REFERENT}:
            menu.append({"label": "Aidants Connect", "url": reverse("mandats:index")})
        if roles - {Role.CONSEILLER, Role.AIDANT}:
            menu.append({"label": "Structures", "url": reverse("core:structure-list")})
        menu.append({"label": "Territoires", "url": reverse("core:departement-list")})
    menu.append({"label": "API", "url": reverse("swagger-ui")})
    path = request.path
    for item in menu:
        item["current"] = path == item["url"] or (
            item["url"] != "/" and path.startswith(item["url"])
        )
    return {
        "skiplinks": SKIPLINKS,
        "main_menu": menu,
    }


def csp_nonce(request: HttpRequest) -> dict:
    # django-csp's nonce is lazy and reads as false until generated, and the DSFR's script tag only
    # adds nonce="…" when it reads as true: generating it here makes the DSFR scripts run under CSP.
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}
