import pytest
from django.utils.html import escape

from core.demo import ACCOUNTS
from core.models import Role
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_public_home_and_login_pages_are_accessible(page, demo_server):
    page.goto(demo_server.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Inclusion numérique"
    assert_accessible(page, "accueil-public")
    page.get_by_role("link", name="Se connecter").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"
    assert_accessible(page, "connexion")


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.role)
def test_each_demo_role_logs_in_and_sees_its_home_page(page, demo_server, account):
    log_in(page, demo_server.url, account.email)
    assert page.url == f"{demo_server.url}/"
    section = page.get_by_role("heading", level=2, name=Role(account.role).label)
    assert section.is_visible()
    assert page.get_by_role("button", name="Se déconnecter").first.is_visible()
    assert_accessible(page, f"accueil-{account.role}")


def test_wrong_password_keeps_the_email_and_says_so_in_french(page, demo_server):
    page.goto(f"{demo_server.url}/connexion/")
    page.get_by_label("Adresse électronique", exact=True).fill("anct@demo.inclusion.gouv.fr")
    page.get_by_label("Mot de passe", exact=True).fill("mauvais mot de passe")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    assert page.get_by_text("Adresse électronique ou mot de passe incorrect.").is_visible()
    assert page.get_by_label("Adresse électronique", exact=True).input_value() == (
        "anct@demo.inclusion.gouv.fr"
    )
    assert_accessible(page, "connexion-erreur")


def test_logging_out_returns_to_the_public_home(page, demo_server):
    log_in(page, demo_server.url, "gestionnaire@demo.inclusion.gouv.fr")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Se connecter").first.is_visible()
    assert escape("Bonjour") not in page.content()


def test_the_candidate_registration_and_my_career_pages_are_accessible(page, demo_server):
    page.goto(f"{demo_server.url}/conseillers/candidats/inscription/")
    assert page.get_by_role("heading", level=1).inner_text() == "Devenir conseiller numérique"
    assert_accessible(page, "inscription-candidat")
    log_in(page, demo_server.url, "conseiller@demo.inclusion.gouv.fr")
    page.goto(f"{demo_server.url}/conseillers/mon-parcours/")
    assert page.get_by_text("Ville de Tours").first.is_visible()
    assert_accessible(page, "mon-parcours")


def test_the_password_request_page_is_reached_from_the_login_page(page, demo_server):
    page.goto(f"{demo_server.url}/connexion/")
    page.get_by_role("link", name="Premier accès ou mot de passe oublié ?").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Choisir un mot de passe"
    assert_accessible(page, "mot-de-passe")
