"""Refusing an application in the browser: the DSFR modal states the consequence and holds the
motive; cancelling changes nothing; confirming refuses. Without JavaScript, the same action is a
confirmation page. axe-core clean with the modal open, at desktop and phone widths."""

import os

import pytest
from django.utils.html import escape
from playwright.sync_api import Page, expect

from conseillers.models import CandidatureState, MatchState
from conseillers.subsidy.models import Regime, RegimeTranche, TrancheState
from conseillers.subsidy.regimes import ensure_regimes
from conseillers.views import CANDIDATURE_ACTS
from core.models import Structure, User
from tests.browser.confirm import confirm, open_confirmation
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.conseillers.factories import CandidatureFactory
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import MembershipFactory, StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANCT = "anct@demo.inclusion.gouv.fr"
REFUSE = "Refuser la candidature"
CONSEQUENCE = CANDIDATURE_ACTS["refuse"].consequence


@pytest.fixture
def candidature(demo_server):
    return CandidatureFactory(structure=Structure.objects.get(name="Ville de Tours"))


def wait_until_opened(page: Page, modal_id: str) -> None:
    """The DSFR fades the modal in: axe reads contrast once its opacity has reached 1."""
    expect(page.locator(f"#{modal_id}")).to_have_css("opacity", "1")


@pytest.mark.parametrize("width", [1280, 375])
def test_refusing_an_application_asks_first_in_a_modal(page, demo_server, candidature, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, ANCT)
    page.goto(f"{demo_server.url}/conseillers/candidatures/{candidature.pk}/")

    # Cancelling closes the modal and changes nothing.
    modal = open_confirmation(page, REFUSE)
    expect(modal.get_by_text(CONSEQUENCE)).to_be_visible()
    expect(modal.get_by_label("Motif", exact=True)).to_be_visible()
    wait_until_opened(page, "confirmer-refuse")
    assert_accessible(page, f"confirmation-refuser-modale-{width}")
    modal.get_by_role("button", name="Annuler", exact=True).click()
    expect(modal).to_be_hidden()
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.CREATED

    # Confirming with the motive refuses.
    modal = open_confirmation(page, REFUSE)
    modal.get_by_label("Motif", exact=True).fill("Territoire déjà couvert par deux structures.")
    modal.get_by_role("button", name=REFUSE, exact=True).click()
    expect(page.locator("main").get_by_text("Refusée", exact=True)).to_be_visible()
    assert_accessible(page, f"confirmation-refuser-fait-{width}")
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.REFUSED
    assert candidature.transitions.get().reason == "Territoire déjà couvert par deux structures."


def test_a_blank_motive_in_the_modal_comes_back_on_the_confirmation_page(
    page, demo_server, candidature
):
    log_in(page, demo_server.url, ANCT)
    page.goto(f"{demo_server.url}/conseillers/candidatures/{candidature.pk}/")
    open_confirmation(page, REFUSE).get_by_role("button", name=REFUSE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REFUSE)
    expect(page.get_by_text("Indiquez le motif de cette décision.")).to_be_visible()
    assert page.title().startswith("Erreur : ")
    assert_accessible(page, "confirmation-refuser-erreur")
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.CREATED


def test_without_javascript_the_action_is_a_confirmation_page(browser, demo_server, candidature):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, demo_server.url, ANCT)
        page.goto(f"{demo_server.url}/conseillers/candidatures/{candidature.pk}/")
        page.locator("main").get_by_role("link", name=REFUSE, exact=True).click()
        assert escape(CONSEQUENCE) in page.content()
        page.get_by_role("button", name=REFUSE, exact=True).click()
        expect(page.get_by_text("Indiquez le motif de cette décision.")).to_be_visible()
        page.get_by_label("Motif", exact=True).fill("Structure hors du périmètre du programme.")
        if SCREENSHOTS:
            page.screenshot(path=os.path.join(SCREENSHOTS, "confirmation-sans-js.png"))
        page.get_by_role("button", name=REFUSE, exact=True).click()
        expect(page.locator("main").get_by_text("Refusée", exact=True)).to_be_visible()
    finally:
        context.close()
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.REFUSED


@pytest.fixture
def career(demo_server):
    """A new structure of Indre-et-Loire recruits through the real services (the transactional
    test starts from an emptied database: the shipped regimes come back first)."""
    ensure_regimes(Regime, RegimeTranche)
    structure = StructureFactory(departement_id="37", name="Ville d'Amboise")
    manager = MembershipFactory(structure=structure, role="gestionnaire").user
    return Career(structure=structure, manager=manager, anct=User.objects.get(email=ANCT))


def look_at_modal(page: Page, label: str, name: str) -> None:
    """Opens the action's modal, checks it with axe once shown, and closes it unchanged."""
    modal = open_confirmation(page, label)
    wait_until_opened(page, modal.get_attribute("id") or "")
    assert_accessible(page, name)
    modal.get_by_role("button", name="Annuler", exact=True).click()
    expect(modal).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_match_tranche_and_order_pages_ask_in_modals(page, demo_server, career, width):
    page.set_viewport_size({"width": width, "height": 900})
    match = career.recruit(months_ago(1))
    tranche = career.tranches(match)[0]
    log_in(page, demo_server.url, ANCT)

    page.goto(f"{demo_server.url}/conseillers/mises-en-relation/{match.pk}/")
    look_at_modal(page, "Terminer le contrat", f"confirmation-contrat-{width}")

    page.goto(f"{demo_server.url}/conseillers/subventions/tranches/{tranche.pk}/")
    look_at_modal(page, "Approuver la tranche", f"confirmation-tranche-{width}")
    confirm(page, "Approuver la tranche", Commentaire="Recrutement conforme.")
    expect(page.get_by_text("La tranche est approuvée")).to_be_visible()

    page.goto(f"{demo_server.url}/conseillers/subventions/ordres/")
    look_at_modal(page, "Enregistrer le paiement de Ville d'Amboise", f"confirmation-ordre-{width}")
    other = Regime.objects.filter(is_default=False).first()
    assert other is not None
    page.goto(f"{demo_server.url}/conseillers/subventions/regimes/")
    label = f"Appliquer « {other.name} » aux nouvelles conventions"
    look_at_modal(page, label, f"confirmation-regime-{width}")
    match.refresh_from_db()
    tranche.refresh_from_db()
    assert (match.state, tranche.state) == (MatchState.FINALISED, TrancheState.APPROVED)
    assert not Regime.objects.get(pk=other.pk).is_default


@pytest.mark.parametrize("width", [1280, 375])
def test_refusing_a_habilitation_asks_first_in_a_modal_holding_the_motive(page, demo_server, width):
    """Aidants Connect through the same mechanism: the ANCT's refusal of a habilitation request."""
    from mandats.models import HabilitationStatus
    from tests.mandats.factories import HabilitationRequestFactory, reload

    pending = HabilitationRequestFactory(first_name="Claire", last_name="Petit")
    label = "Refuser la demande de Claire Petit"
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, ANCT)
    page.goto(f"{demo_server.url}/aidants-connect/habilitations/")
    look_at_modal(page, label, f"confirmation-habilitation-{width}")
    assert reload(pending).status == HabilitationStatus.SUBMITTED

    confirm(page, label, **{"Motif du refus": "Formation non suivie."})
    expect(page.get_by_text("La demande est refusée.")).to_be_visible()
    assert reload(pending).status == HabilitationStatus.REFUSED


@pytest.mark.parametrize("width", [1280, 375])
def test_the_recovery_and_convention_pages_ask_in_modals(page, demo_server, career, width):
    """The subsidy's last one-click actions: the recovery's title and the convention's signing."""
    from conseillers.subsidy import services as subsidy
    from conseillers.subsidy.math import add_months
    from conseillers.subsidy.models import Recovery, RecoveryState
    from tests.conseillers.factories import DecisionFactory

    start = months_ago(20)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subsidy.subventions_reconcile(today=months_ago(0))
    recovery = Recovery.objects.get(structure=career.structure)
    signing = StructureFactory(departement_id="37", name="Commune de Chinon")
    DecisionFactory(candidature__structure=signing, candidature__state="validee")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, demo_server.url, ANCT)

    page.goto(f"{demo_server.url}/conseillers/subventions/reversements/")
    label = "Enregistrer le titre de recette de Ville d'Amboise"
    look_at_modal(page, label, f"confirmation-reversement-{width}")
    confirm(page, label, **{"Référence du titre de recette": "TR-2026-9", "Émis le": "2026-11-02"})
    expect(page.get_by_text("Le titre de recette est enregistré.")).to_be_visible()

    page.goto(f"{demo_server.url}/conseillers/subventions/conventions/")
    look_at_modal(
        page, "Enregistrer la convention de Commune de Chinon", f"confirmation-convention-{width}"
    )
    recovery.refresh_from_db()
    assert (recovery.state, recovery.claim_reference) == (RecoveryState.CLAIMED, "TR-2026-9")
