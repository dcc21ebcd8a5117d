"""The structure's pages: its conventions and each post's schedule, what is due, the
justification upload (PDF, size limit, errors next to the fields), payments and recoveries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import Justification, TrancheState
from core.validators import max_upload_bytes
from tests.conseillers.subsidy.helpers import PDF, months_ago, pdf

pytestmark = pytest.mark.django_db

OVERVIEW = "/conseillers/subventions/"


@pytest.fixture
def second(career, today):
    """A conseiller recruited 13 months ago: tranche 1 paid, tranche 2 awaits its justification."""
    match = career.recruit(months_ago(13, today))
    first, second, _ = career.tranches(match)
    career.pay(first, "BDT-2026-0001", first.due_on)
    return second


def test_the_manager_sees_each_posts_schedule_what_is_due_and_payments(
    client, gestionnaire, second
):
    client.force_login(gestionnaire)
    page = client.get(OVERVIEW).content.decode()
    assert "Convention CNFS-" in page
    assert "Régime « France Relance »" in page
    assert "Échéancier du poste" in page
    assert "Tranche 2 : première année du poste n°" in page  # in "À faire"
    assert "BDT-2026-0001" in page
    assert "20\u202f000,00 €" in page
    assert "Aucun reversement." in page


@pytest.mark.parametrize("persona", ["colleague", "outsider"])
def test_people_who_manage_no_structure_here_do_not_see_it(client, persona, second, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(OVERVIEW)
    if persona == "colleague":
        assert response.status_code == 403
    else:
        assert second.subvention.structure.name not in response.content.decode()


def test_anct_and_the_prefecture_open_a_structure_of_their_scope(
    client, anct, prefecture_37, prefecture_33, second
):
    structure = second.subvention.structure_id
    for person in (anct, prefecture_37):
        client.force_login(person)
        assert client.get(f"{OVERVIEW}?structure={structure}").status_code == 200
    client.force_login(prefecture_33)
    assert client.get(f"{OVERVIEW}?structure={structure}").status_code == 404


def test_the_manager_uploads_the_justification_and_the_tranche_awaits_anct(
    client, gestionnaire, second
):
    client.force_login(gestionnaire)
    url = f"/conseillers/subventions/tranches/{second.pk}/justifier/"
    response = client.post(
        url,
        {
            "pieces-rapport_activite": pdf("rapport.pdf"),
            "pieces-bulletins_salaire": pdf("bulletins.pdf"),
            "pieces-comment": "Rapport de la première année.",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == TrancheState.SUBMITTED
    page = client.get(response.url).content.decode()
    assert "Le justificatif est déposé" in page
    assert "Rapport d&#x27;activité" in page


def test_a_file_that_is_not_a_pdf_is_refused_next_to_its_field_and_the_comment_kept(
    client, gestionnaire, second
):
    client.force_login(gestionnaire)
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/justifier/",
        {
            "pieces-rapport_activite": SimpleUploadedFile("rapport.docx", b"PK\x03\x04"),
            "pieces-bulletins_salaire": pdf(),
            "pieces-comment": "Mon commentaire",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "« Rapport d&#x27;activité » doit être un fichier PDF." in page
    assert "Mon commentaire" in page
    assert not Justification.objects.exists()


def test_a_pdf_over_the_size_limit_is_refused(client, gestionnaire, second):
    client.force_login(gestionnaire)
    big = PDF + b"0" * max_upload_bytes()
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/justifier/",
        {"pieces-rapport_activite": pdf("gros.pdf", big), "pieces-bulletins_salaire": pdf()},
    )
    assert response.status_code == 400
    assert "dépasse 10 Mo" in response.content.decode()


def test_a_missing_document_is_asked_for_next_to_its_field(client, gestionnaire, second):
    client.force_login(gestionnaire)
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/justifier/",
        {"pieces-rapport_activite": pdf()},
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()


def test_the_documents_are_served_only_to_who_sees_the_tranche(
    client, gestionnaire, outsider, anct, second
):
    justification = subsidy.tranche_submit(
        tranche=second,
        documents={"rapport_activite": pdf(), "bulletins_salaire": pdf()},
        by=gestionnaire,
    )
    piece = justification.documents.first()
    url = f"/conseillers/subventions/pieces/{piece.pk}/"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(anct)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_manager_sees_no_review_nor_payment_form(client, gestionnaire, second):
    client.force_login(gestionnaire)
    page = client.get(f"/conseillers/subventions/tranches/{second.pk}/").content.decode()
    assert "Déposer le justificatif" in page
    assert "Approuver la tranche" not in page
    assert "Enregistrer le paiement" not in page


def test_the_structure_sees_its_recovery(client, gestionnaire, career, today):
    from conseillers.subsidy.math import add_months

    start = months_ago(20, today)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 3))
    subsidy.subventions_reconcile(today=today)
    client.force_login(gestionnaire)
    page = client.get(OVERVIEW).content.decode()
    assert "Trop-perçu : 20\u202f000,00 € payés, 3 mois de service sur 24" in page
    assert "13\u202f750,00 €" in page  # 20,000 − 50,000 × 3 / 24
    assert "Soldée" in page


def test_the_structure_page_costs_the_same_queries_for_one_or_three_posts(
    client, gestionnaire, career, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    career.recruit(months_ago(2, today))
    client.force_login(gestionnaire)
    with CaptureQueriesContext(connection) as one:
        client.get(OVERVIEW)
    for _ in range(2):
        match = career.recruit(months_ago(14, today))
        career.pay(career.tranches(match)[0], f"BDT-{match.pk}", today)
    with CaptureQueriesContext(connection) as three:
        client.get(OVERVIEW)
    assert len(three) == len(one)
