import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conseillers.models import Candidat, SmicRate, Training
from tests.conseillers.factories import CandidatFactory
from tests.factories import UserFactory
from tests.pdfs import upload

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "first_name": "Rose",
    "last_name": "Lambert",
    "email": "rose.lambert@exemple.fr",
    "situation": "demandeur_emploi",
    "available_from": "2026-04-01",
    "departements": ["37", "41"],
    "pix_level": "2",
}


def test_anyone_can_register_as_a_candidate_with_a_pdf_cv(client):
    cv = upload(name="cv.pdf")
    response = client.post("/conseillers/candidats/inscription/", {**REGISTRATION, "cv": cv})
    assert response.status_code == 200
    assert "Inscription enregistrée" in response.content.decode()
    candidat = Candidat.objects.get(email="rose.lambert@exemple.fr")
    assert set(candidat.departements.values_list("code", flat=True)) == {"37", "41"}
    assert candidat.cv.name.endswith(".pdf")


def test_a_cv_that_is_not_a_pdf_is_refused_and_the_rest_is_kept(client):
    cv = SimpleUploadedFile("cv.pdf", b"MZ pas un pdf", content_type="application/pdf")
    response = client.post("/conseillers/candidats/inscription/", {**REGISTRATION, "cv": cv})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le CV doit être un fichier PDF." in page
    assert 'value="Rose"' in page
    assert not Candidat.objects.exists()


def test_a_pix_level_outside_1_to_3_is_refused(client):
    response = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "pix_level": "4"}
    )
    assert response.status_code == 400
    assert not Candidat.objects.exists()


def test_a_conseiller_sees_its_training_and_certification(client):
    user = UserFactory()
    candidat = CandidatFactory(user=user)
    Training.objects.create(
        candidat=candidat,
        initial_hours=210,
        started_on=datetime.date(2026, 2, 9),
        cost=Decimal("3150.00"),
    )
    client.force_login(user)
    page = client.get("/conseillers/mon-parcours/").content.decode()
    assert "210 heures" in page
    assert "prise en charge à 100 %" in page


def test_my_career_is_for_conseillers_only(client, gestionnaire):
    client.force_login(gestionnaire)
    assert client.get("/conseillers/mon-parcours/").status_code == 403


def test_anct_edits_the_smic_table_in_the_admin(client):
    admin = UserFactory(is_anct=True, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/conseillers/smicrate/add/", {"valid_from": "2027-01-01", "hourly_gross": "12.10"}
    )
    assert response.status_code == 302
    rate = SmicRate.at(datetime.date(2027, 3, 1))
    assert rate.hourly_gross == Decimal("12.10")
    assert SmicRate.at(datetime.date(2026, 12, 31)).hourly_gross == Decimal("11.88")


def test_the_decision_ledger_cannot_be_edited_in_the_admin(client):
    admin = UserFactory(is_anct=True, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/conseillers/decision/add/").status_code == 403
