"""The product's own error pages, in French and DSFR, with a way back: Django's English pages
(or its debug page) never reach a person. The test settings run with DEBUG=0, as production."""

import pytest
from django.conf import settings
from django.test import Client

from conseillers.models import CandidatureState
from tests.conseillers.factories import candidature_in
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

ERROR_URLS = pytest.mark.urls("tests.core.error_urls")


def assert_error_page(response, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="fr"' in page
    assert f"<h1>{heading}</h1>" in page
    assert f"Erreur {status}" in page
    # The DSFR's layout, header and footer of the product's base template.
    assert 'class="fr-header"' in page
    assert 'class="fr-footer"' in page
    assert 'class="fr-btn" href="/">Retour à l\'accueil</a>' in page
    assert "Not Found" not in page and "Server Error" not in page and "Bad Request" not in page
    return page


def test_debug_is_off_in_these_tests():
    assert settings.DEBUG is False


def test_an_unknown_address_answers_the_french_404_page(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert_error_page(response, 404, "Page introuvable")


def test_the_way_back_is_the_page_the_person_came_from_when_it_is_ours(client):
    ours = client.get("/nulle-part/", HTTP_REFERER="http://testserver/structures/")
    theirs = client.get("/nulle-part/", HTTP_REFERER="https://ailleurs.example/piege/")

    assert 'href="http://testserver/structures/">Revenir à la page précédente</a>' in (
        ours.content.decode()
    )
    assert "ailleurs.example" not in theirs.content.decode()
    assert "Revenir à la page précédente" not in theirs.content.decode()


def test_a_structure_out_of_scope_answers_the_french_404_page(client, outsider, structure):
    client.force_login(outsider)

    response = client.get(f"/structures/{structure.pk}/")

    page = assert_error_page(response, 404, "Page introuvable")
    # The header still knows the person: the 404 page is rendered with the request.
    assert "Se déconnecter" in page


def test_an_application_out_of_territory_answers_the_french_404_page(client, prefecture_37):
    elsewhere = candidature_in(
        CandidatureState.CREATED, structure=StructureFactory(departement_id="33")
    )
    client.force_login(prefecture_37)

    response = client.get(f"/conseillers/candidatures/{elsewhere.pk}/")

    assert_error_page(response, 404, "Page introuvable")


def test_a_refusal_answers_the_french_403_page_with_its_reason(client, gestionnaire):
    client.force_login(gestionnaire)

    response = client.get("/conseillers/tableau-de-bord/", HTTP_REFERER="http://testserver/")

    page = assert_error_page(response, 403, "Accès refusé")
    assert "Le tableau de bord est réservé à l&#x27;ANCT et aux préfectures." in page
    assert 'class="fr-alert fr-alert--error' in page
    assert "Revenir à la page précédente" in page


def test_an_unknown_host_answers_the_french_400_page():
    response = Client().get("/", HTTP_HOST="inconnu.example")

    page = assert_error_page(response, 400, "Requête incorrecte")
    # Nothing of the refused host is echoed back.
    assert "inconnu.example" not in page


@ERROR_URLS
def test_a_view_refusing_a_bad_request_answers_the_french_400_page(client):
    response = client.get("/erreur-simulee/400/")

    assert_error_page(response, 400, "Requête incorrecte")


@ERROR_URLS
def test_a_crash_answers_the_french_500_page_without_touching_the_database(
    django_assert_num_queries,
):
    crashing = Client(raise_request_exception=False)

    with django_assert_num_queries(0):
        response = crashing.get("/erreur-simulee/500/", HTTP_REFERER="http://testserver/")

    page = assert_error_page(response, 500, "Erreur inattendue du serveur")
    assert "panne simulée" not in page
    assert "Revenir à la page précédente" in page


@ERROR_URLS
def test_the_500_page_renders_when_the_context_processors_themselves_fail(settings):
    """A context processor reading the database (the DSFR's site configuration, the aidant's
    organisation) fails when the database does: the 500 page does not use them."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "tests.core.test_error_pages.broken_context_processor",
                ],
            },
        }
    ]
    crashing = Client(raise_request_exception=False)

    response = crashing.get("/erreur-simulee/500/")

    assert_error_page(response, 500, "Erreur inattendue du serveur")


def broken_context_processor(request):
    raise RuntimeError("base de données injoignable")


@ERROR_URLS
def test_the_500_page_falls_back_to_plain_french_html_when_its_template_breaks(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        # The production storage without its manifest: {% static %} raises in the template.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    crashing = Client(raise_request_exception=False)

    response = crashing.get("/erreur-simulee/500/")

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in page
    assert "Erreur inattendue du serveur" in page
    assert '<a href="/">Retour à l\'accueil</a>' in page


@ERROR_URLS
def test_a_crash_under_the_api_answers_the_api_json_shape():
    crashing = Client(raise_request_exception=False)

    response = crashing.get("/api/erreur-simulee/500/")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Erreur inattendue du serveur : réessayez dans quelques instants.",
        "details": {},
    }


def test_the_api_still_answers_its_json_404(client):
    response = client.get("/api/nulle-part/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_form_sent_without_its_csrf_token_answers_the_french_page(db):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        "/connexion/",
        {"username": "personne@exemple.fr", "password": "x"},
        HTTP_REFERER="http://testserver/connexion/",
    )

    page = assert_error_page(response, 403, "Formulaire expiré")
    assert "rechargez-la" in page
    assert 'href="http://testserver/connexion/">Revenir à la page précédente</a>' in page
    assert "CSRF" not in page
