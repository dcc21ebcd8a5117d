"""ANCT's pages: tranches waiting for approval, approval with a comment or sending back, payment
orders per structure exported as CSV for the agency, recording payments, recoveries, conventions
and regimes. Nobody else reaches them."""

import csv
import io

import pytest
from django.utils.html import escape

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import (
    Convention,
    Payment,
    Recovery,
    RecoveryState,
    Regime,
    TrancheState,
)
from conseillers.subsidy.views import TRANCHE_CONFIRMATIONS
from tests.conseillers.factories import DecisionFactory
from tests.conseillers.subsidy.helpers import months_ago, pdf

pytestmark = pytest.mark.django_db

ANCT_PAGES = [
    "/conseillers/subventions/a-valider/",
    "/conseillers/subventions/ordres/",
    "/conseillers/subventions/ordres/export.csv",
    "/conseillers/subventions/reversements/",
    "/conseillers/subventions/conventions/",
    "/conseillers/subventions/regimes/",
]


@pytest.mark.parametrize("url", ANCT_PAGES)
@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37", "outsider"])
def test_anct_pages_are_refused_to_everyone_else(client, url, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ANCT_PAGES)
def test_anct_pages_ask_anonymous_people_to_log_in(client, url):
    assert client.get(url).status_code == 302


@pytest.fixture
def two_waiting(career, today, gestionnaire):
    """One tranche 1 due (needs no justification), one tranche 2 with its justification."""
    first = career.tranches(career.recruit(months_ago(1, today)))[0]
    second = career.tranches(career.recruit(months_ago(13, today)))[1]
    subsidy.tranche_submit(
        tranche=second,
        documents={"rapport_activite": pdf(), "bulletins_salaire": pdf()},
        by=gestionnaire,
    )
    return first, second


def test_the_approval_list_shows_both_kinds_of_waiting_tranches(client, anct, two_waiting):
    client.force_login(anct)
    page = client.get("/conseillers/subventions/a-valider/").content.decode()
    assert page.count('href="/conseillers/subventions/tranches/') == 3  # two of one post, one
    assert "Justificatif déposé" in page
    assert "Due" in page


def test_anct_approves_with_a_comment(client, anct, two_waiting):
    _, second = two_waiting
    client.force_login(anct)
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/approuver/",
        {"revue-reason": "Rapport complet."},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == TrancheState.APPROVED
    assert second.transitions.last().reason == "Rapport complet."


def test_sending_back_without_a_reason_shows_the_error_next_to_the_field(client, anct, two_waiting):
    _, second = two_waiting
    client.force_login(anct)
    response = client.post(f"/conseillers/subventions/tranches/{second.pk}/renvoyer/", {})
    assert response.status_code == 400
    assert "Indiquez à la structure ce qu&#x27;elle doit corriger." in response.content.decode()
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/renvoyer/",
        {"revue-reason": "Bulletins manquants."},
    )
    second.refresh_from_db()
    assert second.state == TrancheState.TO_CORRECT


@pytest.fixture
def approved(career, today, anct):
    match = career.recruit(months_ago(1, today))
    tranche = career.tranches(match)[0]
    return subsidy.tranche_approve(tranche=tranche, by=anct)


def test_the_payment_orders_are_grouped_per_structure_and_exported_for_the_agency(
    client, anct, approved
):
    client.force_login(anct)
    page = client.get("/conseillers/subventions/ordres/").content.decode()
    structure = approved.subvention.structure
    assert f"{structure.name} — 20\u202f000,00 €" in page
    assert f'name="ordre-{structure.pk}-reference"' in page
    response = client.get("/conseillers/subventions/ordres/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        [
            "SIRET",
            "Structure",
            "Convention",
            "Tranche",
            "Poste",
            "Échéance",
            "Montant (€)",
            "Référence",
        ],
        [
            structure.siret,
            structure.name,
            approved.subvention.convention.number,
            "Tranche 1 : recrutement validé",
            str(approved.subvention.post_id),
            approved.due_on.isoformat(),
            "20000,00",
            approved.order_reference,
        ],
    ]


def test_recording_an_orders_payment_twice_pays_once(
    client, anct, approved, django_capture_on_commit_callbacks
):
    client.force_login(anct)
    prefix = f"ordre-{approved.subvention.structure_id}"
    data = {
        "tranche": [approved.pk],
        f"{prefix}-reference": "BDT-9",
        f"{prefix}-paid_on": "2026-03-02",
    }
    url = f"/conseillers/subventions/ordres/{approved.subvention.structure_id}/payer/"
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert client.post(url, data).status_code == 302
    assert len(sent) == 1  # one payment task per tranche, sent once the request committed
    approved.refresh_from_db()
    assert approved.state == TrancheState.PAID
    # The form sent again (double click, back button): nothing left to pay, nothing paid twice.
    again = client.post(url, data, follow=True)
    assert "Aucune tranche approuvée de cette structure" in again.content.decode()
    assert Payment.objects.count() == 1


def test_an_order_payment_without_reference_keeps_the_date_and_names_the_field(
    client, anct, approved
):
    client.force_login(anct)
    prefix = f"ordre-{approved.subvention.structure_id}"
    response = client.post(
        f"/conseillers/subventions/ordres/{approved.subvention.structure_id}/payer/",
        {"tranche": [approved.pk], f"{prefix}-paid_on": "2026-03-02"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce champ est obligatoire." in page
    assert 'value="2026-03-02"' in page
    assert not Payment.objects.exists()


def test_anct_records_a_single_payment_and_a_correction_from_the_tranche_page(
    client, anct, approved
):
    client.force_login(anct)
    url = f"/conseillers/subventions/tranches/{approved.pk}/"
    client.post(f"{url}payer/", {"paiement-reference": "BDT-1", "paiement-paid_on": "2026-03-02"})
    approved.refresh_from_db()
    assert approved.state == TrancheState.PAID
    response = client.post(
        f"{url}corriger/",
        {
            "correction-amount": "-100.50",
            "correction-paid_on": "2026-03-09",
            "correction-reason": "Frais bancaires retenus par erreur.",
        },
    )
    assert response.status_code == 302
    assert sorted(Payment.objects.values_list("amount_cents", flat=True)) == [-10_050, 2_000_000]


def test_anct_claims_then_settles_a_recovery(client, anct, career, today):
    start = months_ago(20, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subsidy.subventions_reconcile(today=today)
    recovery = Recovery.objects.get()
    client.force_login(anct)
    page = client.get("/conseillers/subventions/reversements/").content.decode()
    assert "13\u202f750,00 €" in page
    assert f'name="titre-{recovery.pk}-reference"' in page
    assert f'name="recouvre-{recovery.pk}-recovered_on"' not in page  # claimed first
    url = f"/conseillers/subventions/reversements/{recovery.pk}/"
    response = client.post(f"{url}reclamer/", {f"titre-{recovery.pk}-claimed_on": "2026-11-02"})
    assert response.status_code == 400
    client.post(
        f"{url}reclamer/",
        {
            f"titre-{recovery.pk}-reference": "TR-2026-77",
            f"titre-{recovery.pk}-claimed_on": "2026-11-02",
        },
    )
    client.post(f"{url}recouvre/", {f"recouvre-{recovery.pk}-recovered_on": "2026-12-01"})
    recovery.refresh_from_db()
    assert recovery.state == RecoveryState.RECOVERED
    assert recovery.claim_reference == "TR-2026-77"
    assert list(recovery.transitions.values_list("transition", flat=True)) == [
        "create",
        "claim",
        "settle",
    ]


def test_anct_signs_a_convention_under_a_chosen_regime(client, anct, structure, renewal_2023):
    candidature = DecisionFactory(
        candidature__structure=structure, candidature__state="validee", posts_granted=2
    ).candidature
    client.force_login(anct)
    page = client.get("/conseillers/subventions/conventions/").content.decode()
    assert structure.name in page
    assert f'name="convention-{candidature.pk}-regime"' in page
    prefix = f"convention-{candidature.pk}"
    response = client.post(
        f"/conseillers/subventions/conventions/signer/{candidature.pk}/",
        {f"{prefix}-regime": renewal_2023.pk, f"{prefix}-signed_on": "2026-02-01"},
    )
    assert response.status_code == 302
    convention = Convention.objects.get()
    assert (convention.regime, convention.posts, convention.public) == (renewal_2023, 2, True)


def test_anct_makes_another_regime_the_default(client, anct, renewal_2023):
    client.force_login(anct)
    page = client.get("/conseillers/subventions/regimes/").content.decode()
    assert "Structure publique en QPV ou ZRR : 50\u202f000,00 € par poste" in page
    assert "Structure privée : 44\u202f000,00 € par poste" in page
    client.post(f"/conseillers/subventions/regimes/{renewal_2023.pk}/par-defaut/")
    assert Regime.objects.get(is_default=True) == renewal_2023


def test_the_anct_lists_cost_the_same_queries_whatever_their_length(client, anct, career, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    career.recruit(months_ago(1, today))
    client.force_login(anct)
    urls = ["/conseillers/subventions/a-valider/", "/conseillers/subventions/ordres/"]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[url] = len(queries)
    for match in [career.recruit(months_ago(1, today)) for _ in range(2)]:
        subsidy.tranche_approve(tranche=career.tranches(match)[0], by=anct)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == counts[url], url


# --- Confirmations of the tranche's consequential actions -------------------------------------


def consequence(action: str) -> str:
    return escape(TRANCHE_CONFIRMATIONS[action][1].consequence)


@pytest.mark.parametrize("action", ["approuver", "renvoyer"])
def test_a_review_confirmation_page_states_the_consequence(client, anct, two_waiting, action):
    _, second = two_waiting
    client.force_login(anct)
    response = client.get(f"/conseillers/subventions/tranches/{second.pk}/{action}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert consequence(action) in page
    assert 'name="revue-reason"' in page
    # Sending back requires saying what to correct: the field is not labelled optional.
    assert ("(Optionnel)" in page) is (action == "approuver")
    second.refresh_from_db()
    assert second.state == TrancheState.SUBMITTED


def test_sending_back_without_a_reason_comes_back_to_its_confirmation_page(
    client, anct, two_waiting
):
    _, second = two_waiting
    client.force_login(anct)
    response = client.post(f"/conseillers/subventions/tranches/{second.pk}/renvoyer/", {})
    page = response.content.decode()
    assert response.status_code == 400
    assert consequence("renvoyer") in page
    assert 'id="id_revue-reason-desc-error"' in page
    second.refresh_from_db()
    assert second.state == TrancheState.SUBMITTED


def test_the_tranche_page_offers_its_actions_in_modals(client, anct, two_waiting):
    _, second = two_waiting
    client.force_login(anct)
    page = client.get(f"/conseillers/subventions/tranches/{second.pk}/").content.decode()
    for action in ("approuver", "renvoyer"):
        assert f'<dialog id="confirmer-{action}"' in page
        assert consequence(action) in page
    assert "confirmer-payer" not in page  # not approved yet


def test_the_payment_confirmation_is_refused_before_approval(client, anct, two_waiting):
    _, second = two_waiting
    client.force_login(anct)
    assert client.get(f"/conseillers/subventions/tranches/{second.pk}/payer/").status_code == 403


def test_a_tranche_confirmation_is_refused_to_the_structure(client, gestionnaire, two_waiting):
    _, second = two_waiting
    client.force_login(gestionnaire)
    response = client.get(f"/conseillers/subventions/tranches/{second.pk}/approuver/")
    assert response.status_code == 403


def test_paying_a_tranche_asks_first_and_a_refused_post_keeps_the_reference(client, anct, approved):
    client.force_login(anct)
    url = f"/conseillers/subventions/tranches/{approved.pk}/payer/"
    page = client.get(url).content.decode()
    assert consequence("payer") in page
    assert 'name="paiement-reference"' in page
    response = client.post(url, {"paiement-reference": "BDT-7"})
    page = response.content.decode()
    assert response.status_code == 400
    assert consequence("payer") in page
    assert 'value="BDT-7"' in page
    assert 'id="id_paiement-paid_on-desc-error"' in page
    approved.refresh_from_db()
    assert approved.state == TrancheState.APPROVED
    assert not Payment.objects.exists()


def test_an_order_payment_asks_first_listing_the_tranches_it_pays(client, anct, approved):
    client.force_login(anct)
    structure = approved.subvention.structure
    url = f"/conseillers/subventions/ordres/{structure.pk}/payer/"
    orders = client.get("/conseillers/subventions/ordres/").content.decode()
    modal = orders[orders.index(f'<dialog id="confirmer-ordre-{structure.pk}"') :]
    modal = modal[: modal.index("</dialog>")]
    assert "sera enregistrée comme payée" in modal
    assert f'<input type="hidden" name="tranche" value="{approved.pk}">' in modal
    assert f'action="{url}"' in modal
    # Without JavaScript: the same consequence and form on the confirmation page.
    page = client.get(url).content.decode()
    assert "sera enregistrée comme payée" in page
    assert f'<input type="hidden" name="tranche" value="{approved.pk}">' in page
    assert f'name="ordre-{structure.pk}-reference"' in page
    approved.refresh_from_db()
    assert approved.state == TrancheState.APPROVED


def test_a_refused_order_payment_comes_back_to_its_confirmation_with_its_tranches(
    client, anct, approved
):
    client.force_login(anct)
    structure_pk = approved.subvention.structure_id
    response = client.post(
        f"/conseillers/subventions/ordres/{structure_pk}/payer/",
        {"tranche": [approved.pk], f"ordre-{structure_pk}-reference": "BDT-3"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "sera enregistrée comme payée" in page
    assert f'<input type="hidden" name="tranche" value="{approved.pk}">' in page
    assert f'id="id_ordre-{structure_pk}-paid_on-desc-error"' in page


def test_making_a_regime_the_default_asks_first(client, anct, renewal_2023):
    client.force_login(anct)
    url = f"/conseillers/subventions/regimes/{renewal_2023.pk}/par-defaut/"
    regimes = client.get("/conseillers/subventions/regimes/").content.decode()
    modal = regimes[regimes.index(f'<dialog id="confirmer-regime-{renewal_2023.pk}"') :]
    assert f'action="{url}"' in modal[: modal.index("</dialog>")]
    page = client.get(url).content.decode()
    assert "les conventions déjà signées gardent leur régime" in page
    assert Regime.objects.get(is_default=True) != renewal_2023


@pytest.fixture
def recovery(career, today) -> Recovery:
    """A recovery waiting for its title: the post closed after one paid tranche of three."""
    start = months_ago(20, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subsidy.subventions_reconcile(today=today)
    return Recovery.objects.get()


def _modal(page: str, modal_id: str) -> str:
    modal = page[page.index(f'<dialog id="{modal_id}"') :]
    return modal[: modal.index("</dialog>")]


def test_recording_a_recovery_title_asks_first_in_a_modal_and_without_js(client, anct, recovery):
    client.force_login(anct)
    url = f"/conseillers/subventions/reversements/{recovery.pk}/reclamer/"
    listing = client.get("/conseillers/subventions/reversements/").content.decode()
    modal = _modal(listing, f"confirmer-reclamer-{recovery.pk}")
    assert f'action="{url}"' in modal
    assert escape("sera réclamé à") in modal
    assert f'name="titre-{recovery.pk}-reference"' in modal
    assert f'href="{url}"' in listing  # the link shown without JavaScript
    page = client.get(url).content.decode()
    assert escape("le titre enregistré ne se modifie plus") in page
    assert f'name="titre-{recovery.pk}-reference"' in page
    recovery.refresh_from_db()
    assert recovery.state == RecoveryState.TO_CLAIM


def test_a_recovery_title_without_reference_comes_back_to_its_confirmation(client, anct, recovery):
    client.force_login(anct)
    prefix = f"titre-{recovery.pk}"
    response = client.post(
        f"/conseillers/subventions/reversements/{recovery.pk}/reclamer/",
        {f"{prefix}-claimed_on": "2026-11-02"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert escape("le titre enregistré ne se modifie plus") in page
    assert f'id="id_{prefix}-reference-desc-error"' in page
    assert 'value="2026-11-02"' in page  # what was typed is kept
    recovery.refresh_from_db()
    assert (recovery.state, recovery.claim_reference) == (RecoveryState.TO_CLAIM, "")


def test_settling_a_recovery_asks_first_then_settles(client, anct, recovery):
    client.force_login(anct)
    url = f"/conseillers/subventions/reversements/{recovery.pk}/recouvre/"
    assert client.get(url).status_code == 403  # not before the title
    subsidy.recovery_claim(
        recovery=recovery, reference="TR-1", claimed_on=recovery.created_at.date(), by=anct
    )
    listing = client.get("/conseillers/subventions/reversements/").content.decode()
    assert f'action="{url}"' in _modal(listing, f"confirmer-recouvre-{recovery.pk}")
    assert f"confirmer-reclamer-{recovery.pk}" not in listing
    page = client.get(url).content.decode()
    assert "sera clos comme recouvré" in page
    prefix = f"recouvre-{recovery.pk}"
    response = client.post(url, {})
    assert response.status_code == 400
    assert f'id="id_{prefix}-recovered_on-desc-error"' in response.content.decode()
    recovery.refresh_from_db()
    assert recovery.state == RecoveryState.CLAIMED
    response = client.post(url, {f"{prefix}-recovered_on": "2026-12-01"})
    assert response.status_code == 302
    recovery.refresh_from_db()
    assert recovery.state == RecoveryState.RECOVERED


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
@pytest.mark.parametrize("action", ["reclamer", "recouvre"])
def test_recovery_confirmations_are_refused_to_everyone_else(
    client, recovery, action, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    url = f"/conseillers/subventions/reversements/{recovery.pk}/{action}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_an_unknown_recovery_action_is_refused(client, anct, recovery):
    client.force_login(anct)
    assert (
        client.get(f"/conseillers/subventions/reversements/{recovery.pk}/annuler/").status_code
        == 403
    )


@pytest.fixture
def validated(structure):
    return DecisionFactory(
        candidature__structure=structure, candidature__state="validee", posts_granted=2
    ).candidature


def test_signing_a_convention_asks_first_in_a_modal_and_without_js(client, anct, validated):
    client.force_login(anct)
    url = f"/conseillers/subventions/conventions/signer/{validated.pk}/"
    listing = client.get("/conseillers/subventions/conventions/").content.decode()
    modal = _modal(listing, f"confirmer-convention-{validated.pk}")
    assert f'action="{url}"' in modal
    assert f'name="convention-{validated.pk}-signed_on"' in modal
    page = client.get(url).content.decode()
    assert escape("une candidature n'a qu'une convention") in page
    assert f'name="convention-{validated.pk}-regime"' in page
    assert not Convention.objects.exists()


def test_a_convention_without_its_date_comes_back_to_its_confirmation(
    client, anct, validated, renewal_2023
):
    client.force_login(anct)
    prefix = f"convention-{validated.pk}"
    response = client.post(
        f"/conseillers/subventions/conventions/signer/{validated.pk}/",
        {f"{prefix}-regime": renewal_2023.pk},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert escape("une candidature n'a qu'une convention") in page
    assert f'id="id_{prefix}-signed_on-desc-error"' in page
    assert f'<option value="{renewal_2023.pk}" selected>' in page
    assert not Convention.objects.exists()


def test_a_signed_candidature_has_no_confirmation_page_any_more(
    client, anct, validated, renewal_2023
):
    subsidy.convention_sign(
        candidature=validated, regime=renewal_2023, signed_on=validated.created_at.date(), by=anct
    )
    client.force_login(anct)
    url = f"/conseillers/subventions/conventions/signer/{validated.pk}/"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
def test_the_convention_confirmation_is_refused_to_everyone_else(
    client, validated, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    url = f"/conseillers/subventions/conventions/signer/{validated.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
