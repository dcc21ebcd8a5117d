"""The site map of `core.navigation`: each demo role's menu, every page declared, every menu page
open to whoever sees it, and the DSFR breadcrumbs it draws on representative pages."""

import math
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import context_processors
from core.models import User
from core.navigation import PAGES, menu_for, menu_pages_for

pytestmark = pytest.mark.django_db

ANCT = "anct@demo.inclusion.gouv.fr"
PREFECTURE = "prefecture37@demo.inclusion.gouv.fr"
GESTIONNAIRE = "gestionnaire@demo.inclusion.gouv.fr"
CONSEILLER = "conseiller@demo.inclusion.gouv.fr"
AIDANT = "aidant@demo.inclusion.gouv.fr"
REFERENT = "referent@demo.inclusion.gouv.fr"


def labels(user) -> set[str]:
    """Every label of the menu, top-level entries and the links of the submenus alike."""
    found = set()
    for entry in menu_for(user, None):
        found.add(entry.label)
        found |= {link.label for link in entry.links}
    return found


@pytest.mark.parametrize(
    ("email", "sees", "does_not_see"),
    [
        (
            ANCT,
            {
                "Candidatures",
                "Enveloppes",
                "Tableau de bord",
                "Tranches à valider",
                "Ordres de paiement",
                "Reversements",
                "Conventions",
                "Régimes de subvention",
                "Budget",
                "Demandes d'habilitation",
                "Structures",
            },
            {"Mes usagers", "Subventions de ma structure", "Mon parcours", "Espace référent"},
        ),
        (
            PREFECTURE,
            {"Candidatures", "Tableau de bord", "Budget", "Structures"},
            {"Enveloppes", "Ordres de paiement", "Demandes d'habilitation", "Mes usagers"},
        ),
        (
            GESTIONNAIRE,
            {"Candidatures", "Candidats et postes", "Subventions de ma structure", "Structures"},
            {"Tableau de bord", "Enveloppes", "Budget", "Ordres de paiement"},
        ),
        (
            CONSEILLER,
            {"Mon parcours", "Mises en relation"},
            {"Candidatures", "Structures", "Subventions", "Mes usagers"},
        ),
        (
            AIDANT,
            {"Mes usagers", "Nouveau mandat", "Changer d'organisation"},
            {"Espace référent", "Candidatures", "Structures", "Demandes d'habilitation"},
        ),
        (REFERENT, {"Espace référent", "Mes usagers", "Structures"}, {"Candidatures", "Budget"}),
    ],
    ids=["anct", "prefecture", "gestionnaire", "conseiller", "aidant", "referent"],
)
def test_each_role_sees_its_pages_in_the_menu_and_no_one_else_s(demo, email, sees, does_not_see):
    menu = labels(User.objects.get(email=email))
    assert sees <= menu
    assert not (does_not_see & menu)


def test_an_anonymous_visitor_sees_the_home_and_the_public_map_only():
    assert [entry.label for entry in menu_for(AnonymousUser(), None)] == [
        "Accueil",
        "Carte des lieux",
    ]


def test_a_group_of_one_visible_page_is_a_plain_link_not_a_submenu(demo):
    # The conseiller sees one page of "Recrutements": a submenu of one link is a detour.
    menu = menu_for(User.objects.get(email=CONSEILLER), None)
    entry = next(entry for entry in menu if entry.label == "Mises en relation")
    assert entry.url == reverse("conseillers:match-list") and entry.links == ()


def test_the_group_of_the_page_shown_is_marked_current(demo):
    menu = menu_for(User.objects.get(email=ANCT), "conseillers:subsidy-tranche")
    current = [entry for entry in menu if entry.current]
    assert [entry.label for entry in current] == ["Subventions"]
    assert not any(link.current for link in current[0].links)  # a tranche is under no menu page


@pytest.mark.parametrize("email", [ANCT, PREFECTURE, GESTIONNAIRE, CONSEILLER, AIDANT, REFERENT])
def test_every_menu_page_a_person_sees_opens_for_them(demo, client, email):
    """The declaration's checks and the views' agree: no menu link to a refusal."""
    client.force_login(User.objects.get(email=email))
    for url_name in menu_pages_for(User.objects.get(email=email)):
        page = PAGES[url_name][0]
        response = client.get(reverse(url_name) + page.query, follow=True)
        assert response.status_code == 200, url_name


# Names that are no page of their own: files, API, redirections, POST-only and protocol endpoints.
NOT_PAGES = re.compile(
    r"^(admin|api|api-conseillers|api-aidants-connect|api-lieux|franceconnect_mock|idp):"
    r"|^(schema|swagger-ui|redoc|healthz)$"
    r"|csv$|json$|-schema$|-pdf$|:candidat-cv$|:subsidy-document$|:logout$|:usager-logout$"
    r"|:franceconnect-(logout-)?callback$|^mandats:index$"
)


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _url_names(pattern, ":".join(filter(None, [namespace, pattern.namespace])))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_page_of_the_site_is_declared_so_it_has_breadcrumbs():
    undeclared = {
        name for name in _url_names(get_resolver()) if not NOT_PAGES.search(name)
    } - PAGES.keys()
    assert undeclared == set()


def breadcrumb(html: str) -> list[str]:
    trail = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', html, re.S)
    assert trail, "no breadcrumb"
    return [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", trail[1])
    ]


def test_a_menu_page_has_the_breadcrumb_home_then_itself_marked_current(demo, client):
    client.force_login(User.objects.get(email=ANCT))
    html = client.get(reverse("conseillers:subsidy-orders")).content.decode()
    assert breadcrumb(html) == ["Accueil", "Ordres de paiement"]
    assert '<a class="fr-breadcrumb__link" aria-current="page">' in html


def test_a_detail_page_goes_through_its_list_and_ends_on_its_object(demo, client):
    structure = User.objects.get(email=GESTIONNAIRE).memberships.get().structure
    client.force_login(User.objects.get(email=ANCT))
    html = client.get(reverse("core:structure-edit", args=[structure.pk])).content.decode()
    trail = breadcrumb(html)
    assert trail[:3] == ["Accueil", "Structures", "Structure"]
    assert f'href="{reverse("core:structure-detail", args=[structure.pk])}"' in html


def test_the_home_page_has_no_breadcrumb(client):
    assert "fr-breadcrumb" not in client.get("/").content.decode()


def test_a_page_outside_the_menu_still_has_its_breadcrumb(client):
    assert breadcrumb(client.get(reverse("core:legal-notice")).content.decode())[0] == "Accueil"


def test_the_dsfr_site_configuration_is_not_read_again_on_every_page(client, monkeypatch):
    monkeypatch.setattr(context_processors, "_site_config", (-math.inf, {}))  # never read yet
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("core:home"))
    assert [q for q in first.captured_queries if "dsfr_dsfrconfig" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("core:home"))
    assert page.status_code == 200
    assert not [q for q in queries.captured_queries if "dsfr_dsfrconfig" in q["sql"]]
