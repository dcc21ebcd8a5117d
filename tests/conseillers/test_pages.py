"""The conseillers pages: who reaches them, what the forms keep, what they write."""

import io

import pytest

from conseillers.models import Candidature, CandidatureState, Envelope
from tests.conseillers.factories import CandidatureFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db

VALID_APPLICATION = {
    "contact_name": "Claire Contact",
    "contact_email": "claire@exemple.fr",
    "posts_wished": "2",
    "motivation": "Accompagner les habitants.",
    "start_date": "2026-03-02",
}


@pytest.mark.parametrize("persona", ["anct", "prefecture_37", "colleague"])
def test_only_a_structure_manager_reaches_the_application_form(request, client, structure, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/conseillers/candidatures/nouvelle/").status_code == 403


def test_an_application_with_errors_keeps_what_was_typed(client, structure, gestionnaire):
    client.force_login(gestionnaire)
    data = {
        **VALID_APPLICATION,
        "structure": structure.pk,
        "motivation": "x" * 2501,
        "contact_email": "pas-une-adresse",
    }
    response = client.post("/conseillers/candidatures/nouvelle/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide." in page
    assert "comporte au plus 2500 caractères" in page
    assert 'value="Claire Contact"' in page
    assert not Candidature.objects.exists()


def test_a_valid_application_is_filed_and_shown(client, structure, gestionnaire):
    client.force_login(gestionnaire)
    response = client.post(
        "/conseillers/candidatures/nouvelle/",
        {**VALID_APPLICATION, "structure": structure.pk},
        follow=True,
    )
    candidature = Candidature.objects.get()
    assert response.redirect_chain[-1][0] == f"/conseillers/candidatures/{candidature.pk}/"
    assert "Votre candidature est déposée" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees_37", "sees_33"),
    [
        ("anct", True, True),
        ("prefecture_37", True, False),
        ("gestionnaire", True, False),
        ("outsider", False, True),
        ("colleague", False, False),
    ],
)
def test_the_application_list_is_scoped(
    request, client, structure, other_structure, persona, sees_37, sees_33
):
    here = CandidatureFactory(structure=structure)
    there = CandidatureFactory(structure=other_structure)
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/conseillers/candidatures/").content.decode()
    assert (f"/conseillers/candidatures/{here.pk}/" in page) is sees_37
    assert (f"/conseillers/candidatures/{there.pk}/" in page) is sees_33
    status = client.get(f"/conseillers/candidatures/{there.pk}/").status_code
    assert status == (200 if sees_33 else 404)


def test_a_refused_opinion_shows_the_french_error_and_keeps_the_comment(
    client, structure, prefecture_37
):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(prefecture_37)
    response = client.post(
        f"/conseillers/candidatures/{candidature.pk}/avis/",
        {"avis-verdict": "favorable", "avis-comment": "Court"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "au moins 10 caractères" in page
    assert "Court</textarea>" in page


def test_a_decision_beyond_the_envelope_is_refused_on_the_page(client, structure, anct):
    EnvelopeFactory(departement_id="37", posts=1)
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    data = {
        "decision-posts_granted": "2",
        "decision-number": "D-1",
        "decision-decided_on": "2026-02-01",
    }
    response = client.post(f"/conseillers/candidatures/{candidature.pk}/decision/", data)
    assert response.status_code == 400
    assert "il reste 1 poste." in response.content.decode()
    data["decision-envelope_override"] = "Territoire prioritaire, arbitrage du cabinet."
    response = client.post(f"/conseillers/candidatures/{candidature.pk}/decision/", data)
    assert response.status_code == 302
    candidature.refresh_from_db()
    assert candidature.state == CandidatureState.VALIDATED


@pytest.mark.parametrize(
    "url",
    [
        "/conseillers/enveloppes/",
        "/conseillers/enveloppes/proposition/",
        "/conseillers/enveloppes/redistribution/",
    ],
)
@pytest.mark.parametrize("persona", ["prefecture_37", "gestionnaire"])
def test_envelope_pages_are_for_anct_only(request, client, url, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 403


def test_a_proposal_is_shown_beside_the_envelopes_and_applied_in_part(client, anct):
    EnvelopeFactory(departement_id="37", posts=35)
    client.force_login(anct)
    response = client.post(
        "/conseillers/enveloppes/proposition/",
        {"total": "4000", "method": "hamilton", "floor": "1"},
    )
    comparison = response.context["comparison"]
    assert comparison.proposed_total == 4000
    assert sum(row.proposed for row in comparison.rows) == 4000
    row_37 = next(row for row in comparison.rows if row.key == "37")
    assert row_37.current == 35
    response = client.post(
        "/conseillers/enveloppes/appliquer/",
        {
            "departement": ["37", "23"],
            "postes-37": str(row_37.proposed),
            "postes-23": "7",
            "postes-75": "999",
            "motif": "Répartition 2027",
        },
    )
    assert response.status_code == 302
    assert set(
        Envelope.objects.filter(reason="Répartition 2027").values_list("departement_id", flat=True)
    ) == {"37", "23"}
    assert Envelope.objects.filter(departement_id="37").count() == 2


def test_a_proposal_from_a_csv_indicator(client, anct):
    client.force_login(anct)
    indicator = io.BytesIO(b"code;valeur\n37;3\n33;1\n")
    indicator.name = "indicateur.csv"
    response = client.post(
        "/conseillers/enveloppes/proposition/",
        {"total": "8", "method": "sainte_lague", "floor": "0", "indicator_file": indicator},
    )
    proposed = {row.key: row.proposed for row in response.context["comparison"].rows}
    assert proposed == {"33": 2, "37": 6}


def test_a_csv_with_an_unknown_code_is_refused_in_french(client, anct):
    client.force_login(anct)
    indicator = io.BytesIO(b"99;3\n")
    indicator.name = "indicateur.csv"
    response = client.post(
        "/conseillers/enveloppes/proposition/",
        {"total": "8", "method": "hamilton", "floor": "0", "indicator_file": indicator},
    )
    assert response.status_code == 400
    assert "« 99 » n&#x27;est pas un code de département" in response.content.decode()


def test_redistribution_follows_unmet_demand(client, structure, other_structure, anct):
    CandidatureFactory(structure=structure, posts_wished=3)
    CandidatureFactory(structure=other_structure, posts_wished=1)
    client.force_login(anct)
    response = client.post("/conseillers/enveloppes/redistribution/", {"total": "10"})
    proposal = response.context["proposal"]
    assert {code: row["extra"] for code, row in proposal.items()} == {"37": 3, "33": 1}
