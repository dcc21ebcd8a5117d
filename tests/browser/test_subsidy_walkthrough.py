"""A structure from a recruitment to its first tranche paid, in the browser with the demo
accounts: the schedule opens when ANCT validates the recruitment, ANCT approves the first tranche
and records the agency's payment, the structure sees it paid. Axe-clean at each step."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conseillers.subsidy import demo as subsidy_demo
from conseillers.subsidy import services as subsidy_services
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Regime, RegimeTranche, Subvention
from conseillers.subsidy.regimes import ensure_regimes
from core.models import User
from tests.browser.confirm import confirm, open_confirmation
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "gestionnaire@demo.inclusion.gouv.fr"
ANCT = "anct@demo.inclusion.gouv.fr"


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()


@pytest.fixture
def server(demo_server):
    # A transactional test starts from an emptied database: the shipped regimes come back, then
    # the subsidy demo (until load_demo calls it).
    ensure_regimes(Regime, RegimeTranche)
    subsidy_demo.load({user.email: user for user in User.objects.all()})
    # What the demo's beat does within a minute: Inès's post, vacant beyond its window, closes.
    subsidy_services.subventions_reconcile(today=timezone.localdate())
    return demo_server


def test_a_structure_goes_from_a_recruitment_to_its_first_tranche_paid(page, server):
    url = server.url
    start = add_months(timezone.localdate(), -1)

    # The Ville de Tours recruits Lucas Martin (interested in the demo) at the SMIC or above.
    log_in(page, url, MANAGER)
    page.goto(f"{url}/conseillers/recrutement/")
    page.get_by_role("link", name="Lucas Martin").click()
    page.get_by_label("Type de contrat").select_option("cdi")
    page.get_by_label("Date de début").fill(start.isoformat())
    page.get_by_label("Salaire brut mensuel (€)").fill("1850")
    page.get_by_role("button", name="Recruter").click()
    expect(page.get_by_text("Le contrat est enregistré")).to_be_visible()
    match_url = page.url
    log_out(page)

    # ANCT validates the recruitment: the post's schedule opens, its first tranche is due.
    log_in(page, url, ANCT)
    page.goto(match_url)
    confirm(page, "Valider le recrutement")
    expect(page.get_by_text("Le recrutement est validé.")).to_be_visible()
    post = Subvention.objects.get(holder__candidat__email="lucas.martin@demo-candidat.fr").post_id
    page.goto(f"{url}/conseillers/subventions/a-valider/")
    assert_accessible(page, "subvention-1-a-valider")
    page.get_by_role(
        "link", name=f"Tranche 1 : recrutement validé de Ville de Tours, poste n° {post}"
    ).click()
    expect(page.get_by_text("20 000,00 €").first).to_be_visible()
    confirm(page, "Approuver la tranche", Commentaire="Recrutement conforme.")
    expect(page.get_by_text("La tranche est approuvée")).to_be_visible()
    assert_accessible(page, "subvention-2-tranche-approuvee")

    # ANCT exports the payment order, then records the agency's payment.
    page.goto(f"{url}/conseillers/subventions/ordres/")
    expect(page.get_by_role("link", name="Exporter les ordres (CSV)")).to_be_visible()
    assert_accessible(page, "subvention-3-ordres")
    pay = "Enregistrer le paiement de Ville de Tours"
    modal = open_confirmation(page, pay)
    modal.get_by_label("Référence du paiement").fill("BDT-2026-004242")
    modal.get_by_role("button", name=pay, exact=True).click()
    # A missing date is refused next to its field, the reference kept.
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    expect(page.get_by_label("Référence du paiement")).to_have_value("BDT-2026-004242")
    assert_accessible(page, "subvention-3-ordres-erreur")
    page.get_by_label("Date du paiement").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Enregistrer le paiement de Ville de Tours").click()
    expect(page.get_by_text("en cours d'enregistrement")).to_be_visible()
    log_out(page)

    # The structure sees its first tranche paid and the payment received.
    log_in(page, url, MANAGER)
    page.goto(f"{url}/conseillers/subventions/")
    expect(page.get_by_role("heading", name="Subventions : Ville de Tours")).to_be_visible()
    expect(page.get_by_text("BDT-2026-004242")).to_be_visible()
    heading = page.get_by_role("heading", name=f"Poste n° {post} — Lucas Martin")
    schedule = heading.locator("xpath=following-sibling::div[contains(@class, 'fr-table')][1]")
    first = schedule.get_by_role("row").filter(has_text="Tranche 1 : recrutement validé")
    expect(first).to_contain_text("Payée")
    expect(first).to_contain_text("20 000,00 €")
    assert_accessible(page, "subvention-4-structure")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("budget/", "Budget des subventions"),
        ("regimes/", "Régimes de subvention"),
        ("conventions/", "Conventions de subvention"),
        ("reversements/", "Reversements à réclamer"),
    ],
)
def test_the_anct_money_pages_are_accessible(page, server, path, heading):
    log_in(page, server.url, ANCT)
    page.goto(f"{server.url}/conseillers/subventions/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, f"subvention-anct-{path.strip('/')}")
