"""The footer's documents: open to everyone, linked from every page's footer, and stating the
durations the code enforces."""

import pytest
from django.conf import settings

from mandats.services import RETENTION_YEARS

pytestmark = pytest.mark.django_db

DOCUMENTS = [
    (
        "/accessibilite/",
        "Déclaration d&#x27;accessibilité",
        "Accessibilité : partiellement conforme",
    ),
    ("/mentions-legales/", "Mentions légales", "Mentions légales"),
    ("/donnees-personnelles/", "Données personnelles", "Données personnelles"),
    ("/cookies/", "Cookies", "Cookies"),
]


@pytest.mark.parametrize(("url", "heading", "label"), DOCUMENTS, ids=lambda v: str(v))
def test_each_document_answers_anonymously_with_its_title(client, url, heading, label):
    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{heading} — Inclusion numérique</title>" in page


@pytest.mark.parametrize(("url", "heading", "label"), DOCUMENTS, ids=lambda v: str(v))
def test_each_document_is_linked_from_the_home_page_footer(client, url, heading, label):
    home = client.get("/").content.decode()

    footer = home[home.index('<footer class="fr-footer"') :]
    assert f'<a class="fr-footer__bottom-link" href="{url}">{label}</a>' in footer


def test_the_accessibility_declaration_states_its_method_gaps_and_recourse(client):
    page = client.get("/accessibilite/").content.decode()

    assert "<strong>partiellement conforme</strong>" in page
    assert "axe-core" in page
    assert "aucun audit complet du RGAA" in page
    assert "Contenus non accessibles" in page
    assert "Défenseur des droits" in page


def test_the_legal_notice_names_the_editor_and_the_configured_hosting(client, settings):
    settings.LEGAL_HOSTING = "Hébergeur Exemple SAS, 1 rue de l'Exemple, 75000 Paris"

    page = client.get("/mentions-legales/").content.decode()

    assert "Agence nationale de la cohésion des territoires (ANCT)" in page
    assert "Hébergeur Exemple SAS, 1 rue de l&#x27;Exemple, 75000 Paris" in page
    assert "Directeur de la publication" in page


def test_the_personal_data_page_states_the_retentions_the_code_enforces(client, settings):
    settings.DPO_CONTACT = "dpo@anct.example"

    page = client.get("/donnees-personnelles/").content.decode()

    assert f"{RETENTION_YEARS} ans après la fin du dernier mandat" in page
    assert f"{settings.LOGIN_FAILURE_RETENTION_DAYS} jours, puis suppression automatique" in page
    assert "Conservé sans limite de durée" in page
    assert 'href="/aidants-connect/usager/"' in page
    assert "dpo@anct.example" in page


def test_the_cookie_page_names_the_cookies_the_site_actually_sets(client, gestionnaire):
    client.force_login(gestionnaire)
    client.get("/compte/")
    set_cookies = set(client.cookies)

    page = client.get("/cookies/").content.decode()

    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= set_cookies
    for name in set_cookies:
        assert f"<code>{name}</code>" in page
    assert "<code>messages</code>" in page
    assert "strictement nécessaires" in page
