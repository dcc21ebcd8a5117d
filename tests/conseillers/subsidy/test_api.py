"""The subsidy API under /api/conseillers/: scoped reads, each action refused to whoever may not,
the service's French refusals kept, a tranche paid once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Payment, Recovery, Regime, TrancheState
from tests.conseillers.api.helpers import CANNOT_ACT, NOT_AUTHENTICATED, NOT_FOUND, post
from tests.conseillers.subsidy.helpers import months_ago, pdf

pytestmark = pytest.mark.django_db

API = "/api/conseillers"


@pytest.fixture
def api(request, client):
    def login(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login


@pytest.fixture
def recruited(career, today):
    """A conseiller recruited 13 months ago: tranche 1 due, tranche 2 due with a justification."""
    return career.recruit(months_ago(13, today))


@pytest.mark.parametrize(
    ("persona", "count"),
    [
        ("anct", 3),
        ("prefecture_37", 3),
        ("prefecture_region_centre", 3),
        ("gestionnaire", 3),
        ("colleague", 0),
        ("outsider", 0),
    ],
)
def test_tranches_are_listed_within_the_persons_scope(api, recruited, persona, count):
    response = api(persona).get(f"{API}/tranches/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == count


def test_anonymous_callers_must_authenticate(api):
    response = api("anonymous").get(f"{API}/tranches/")
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_a_tranche_out_of_scope_is_not_found(api, career, recruited):
    tranche = career.tranches(recruited)[0]
    assert api("outsider").get(f"{API}/tranches/{tranche.pk}/").json() == NOT_FOUND


def test_tranche_filters_and_abilities(api, career, recruited):
    due = api("gestionnaire").get(f"{API}/tranches/?state=due").json()["results"]
    assert [t["rank"] for t in due] == [1, 2]
    assert due[1]["abilities"] == {
        "view": True,
        "download_document": True,
        "submit": True,
        "approve": False,
        "send_back": False,
        "pay": False,
        "correct_payment": False,
    }
    assert due[1]["required_documents"] == ["rapport_activite", "bulletins_salaire"]
    assert due[0]["amount_cents"] == 2_000_000


def test_the_structure_justifies_through_the_api_and_anct_sends_back_then_approves(
    api, career, recruited, client, anct
):
    second = career.tranches(recruited)[1]
    response = api("gestionnaire").post(
        f"{API}/tranches/{second.pk}/justify/",
        {"rapport_activite": pdf(), "bulletins_salaire": pdf(), "comment": "Année 1"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == TrancheState.SUBMITTED
    client.force_login(anct)
    refused = post(client, f"{API}/tranches/{second.pk}/send-back/", {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.json()["details"]
    sent_back = post(client, f"{API}/tranches/{second.pk}/send-back/", {"reason": "Illisible."})
    assert sent_back.json()["state"] == TrancheState.TO_CORRECT
    assert sent_back.json()["transitions"][-1]["reason"] == "Illisible."


def test_a_non_pdf_is_refused_with_the_field_named(api, career, recruited):
    second = career.tranches(recruited)[1]
    response = api("gestionnaire").post(
        f"{API}/tranches/{second.pk}/justify/",
        {"rapport_activite": SimpleUploadedFile("r.txt", b"texte"), "bulletins_salaire": pdf()},
    )
    assert response.status_code == 400
    assert response.json()["details"] == {
        "rapport_activite": ["« Rapport d'activité » doit être un fichier PDF."]
    }


def test_a_missing_document_is_refused_in_french(api, career, recruited):
    second = career.tranches(recruited)[1]
    response = api("gestionnaire").post(
        f"{API}/tranches/{second.pk}/justify/", {"rapport_activite": pdf()}
    )
    assert response.status_code == 400
    assert response.json()["details"] == {
        "bulletins_salaire": ["Joignez la pièce « Bulletins de salaire du conseiller »."]
    }


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
def test_only_anct_approves_and_pays(api, career, recruited, persona):
    first = career.tranches(recruited)[0]
    client = api(persona)
    response = post(client, f"{API}/tranches/{first.pk}/approve/", {})
    assert response.status_code == 403
    assert response.json() == CANNOT_ACT


def test_anct_approves_and_pays_once(api, career, recruited):
    first = career.tranches(recruited)[0]
    client = api("anct")
    approved = post(client, f"{API}/tranches/{first.pk}/approve/", {"comment": "OK"})
    assert approved.json()["state"] == TrancheState.APPROVED
    orders = client.get(f"{API}/ordres-de-paiement/").json()
    assert [o["total_cents"] for o in orders] == [2_000_000]
    body = {"reference": "BDT-1", "paid_on": "2026-03-02"}
    paid = post(client, f"{API}/tranches/{first.pk}/pay/", body)
    assert paid.status_code == 201
    assert paid.json()["amount_cents"] == 2_000_000
    again = post(client, f"{API}/tranches/{first.pk}/pay/", {**body, "reference": "BDT-2"})
    # Another payment of a paid tranche: the service's refusal, with the payment on record.
    assert again.status_code == 400
    assert "déjà payée" in again.json()["details"]["non_field_errors"][0]
    assert Payment.objects.count() == 1
    listed = api("gestionnaire").get(f"{API}/paiements/").json()["results"]
    assert [p["reference"] for p in listed] == ["BDT-1"]


def test_a_payment_correction_through_the_api(api, career, recruited, anct):
    first = career.tranches(recruited)[0]
    subsidy.tranche_approve(tranche=first, by=anct)
    payment = subsidy.payment_record(tranche=first, reference="B", paid_on=first.due_on, by=anct)
    client = api("anct")
    body = {"amount_cents": -100, "paid_on": "2026-03-09", "reason": "Frais"}
    response = post(client, f"{API}/paiements/{payment.pk}/correct/", body)
    assert response.status_code == 201
    assert response.json()["corrects"] == payment.pk
    too_much = post(client, f"{API}/paiements/{payment.pk}/correct/", {**body, "amount_cents": 500})
    assert too_much.status_code == 400


def test_subventions_show_the_entitlement_to_date(api, career, recruited):
    (subvention,) = api("gestionnaire").get(f"{API}/subventions/").json()["results"]
    assert subvention["total_cents"] == 5_000_000
    assert subvention["earned_to_date_cents"] == 5_000_000 * 13 // 24
    assert len(subvention["tranches"]) == 3


def test_recoveries_are_claimed_then_settled(api, career, today):
    start = months_ago(20, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subsidy.subventions_reconcile(today=today)
    recovery = Recovery.objects.get()
    assert api("gestionnaire").get(f"{API}/reversements/").json()["results"][0]["amount_cents"] == (
        1_375_000
    )
    client = api("anct")
    claimed = post(
        client,
        f"{API}/reversements/{recovery.pk}/claim/",
        {"reference": "TR-1", "claimed_on": "2026-11-02"},
    )
    assert claimed.json()["state"] == "reclame"
    settled = post(
        client, f"{API}/reversements/{recovery.pk}/settle/", {"recovered_on": "2026-12-01"}
    )
    assert settled.json()["state"] == "recouvre"


def test_anct_creates_a_regime_and_makes_it_the_default(api):
    body = {
        "code": "reconventionnement-2027",
        "name": "Reconventionnement 2027",
        "duration_months": 24,
        "total_cents": 4_000_000,
        "vacancy_window_months": 6,
        "is_default": True,
        "lines": [
            {"rank": 1, "label": "T1", "share_bp": 5000, "trigger": "recrutement_valide"},
            {
                "rank": 2,
                "label": "T2",
                "share_bp": 5000,
                "trigger": "justificatif_accepte",
                "month": 12,
                "justification": "activite",
            },
        ],
    }
    response = post(api("anct"), f"{API}/regimes/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["totals"] == {
        "publique": 4_000_000,
        "publique_qpv_zrr": 4_000_000,
        "privee": 4_000_000,
    }
    assert Regime.objects.get(is_default=True).code == "reconventionnement-2027"


def test_a_regime_whose_shares_do_not_total_100_percent_is_refused(api):
    body = {
        "code": "x",
        "name": "x",
        "duration_months": 12,
        "total_cents": 100,
        "lines": [{"rank": 1, "label": "T1", "share_bp": 9000, "trigger": "recrutement_valide"}],
    }
    response = post(api("anct"), f"{API}/regimes/", body)
    assert response.status_code == 400
    assert "100 %" in response.json()["details"]["non_field_errors"][0]


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37"])
def test_only_anct_creates_regimes_and_conventions(api, persona):
    client = api(persona)
    assert post(client, f"{API}/regimes/", {}).status_code == 403
    assert post(client, f"{API}/conventions/", {}).status_code == 403
    assert client.get(f"{API}/ordres-de-paiement/").status_code == 403


def test_conventions_are_scoped(api, career, recruited):
    assert api("outsider").get(f"{API}/conventions/").json()["count"] == 0
    (convention,) = api("gestionnaire").get(f"{API}/conventions/").json()["results"]
    assert convention["regime_name"] == "France Relance"
    assert convention["total_per_post_cents"] == 5_000_000


@pytest.mark.parametrize(("persona", "status"), [("anct", 200), ("prefecture_37", 200)])
def test_the_budget_in_the_api(api, recruited, persona, status):
    response = api(persona).get(f"{API}/budget/")
    assert response.status_code == status
    body = response.json()
    assert body["total"]["committed"] == 5_000_000
    assert body["departements"][0]["key"] == "37"


def test_the_budget_is_refused_to_structures(api):
    assert api("gestionnaire").get(f"{API}/budget/").status_code == 403
