"""The attack: a hostile PDF sent through every door that takes an upload (the candidate's
registration page, the justification page, the justification API). Each is refused, in French,
next to its field, and nothing is stored. Before pypdf, only the first five bytes were read."""

import pytest

from conseillers.models import Candidat
from conseillers.subsidy.models import Justification
from tests.pdfs import HOSTILE, PLAIN, polyglot, upload

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "first_name": "Rose",
    "last_name": "Lambert",
    "email": "rose.lambert@exemple.fr",
    "situation": "demandeur_emploi",
    "available_from": "2026-04-01",
    "departements": ["37"],
    "pix_level": "2",
}

# Each hostile file and the refusal it earns (the words that must appear in the message).
ATTACKS = {
    "javascript": (HOSTILE["javascript"], "contient du JavaScript ou une action automatique"),
    "open_action": (HOSTILE["open_action"], "contient du JavaScript ou une action automatique"),
    "page_action": (HOSTILE["page_action"], "contient du JavaScript ou une action automatique"),
    "attachment": (HOSTILE["attachment"], "contient un fichier joint"),
    "polyglot": (polyglot(), "contient une page web en plus du PDF"),
    "magic_bytes_only": (b"%PDF-1.7\n<!-- pas un PDF -->", "n'est pas un PDF lisible"),
    "truncated": (PLAIN[: len(PLAIN) // 2], "n'est pas un PDF lisible"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_registration_page_refuses_a_hostile_cv(client, attack):
    content, refusal = ATTACKS[attack]
    response = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "cv": upload(content, "cv.pdf")}
    )
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert f"Le CV {refusal}" in page
    assert not Candidat.objects.filter(email="rose.lambert@exemple.fr").exists()


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_justification_page_refuses_a_hostile_document(client, gestionnaire, second, attack):
    content, refusal = ATTACKS[attack]
    client.force_login(gestionnaire)
    response = client.post(
        f"/conseillers/subventions/tranches/{second.pk}/justifier/",
        {"pieces-rapport_activite": upload(content), "pieces-bulletins_salaire": upload()},
    )
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert f"« Rapport d'activité » {refusal}" in page
    assert not Justification.objects.exists()


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_justification_api_refuses_a_hostile_document(client, gestionnaire, second, attack):
    content, refusal = ATTACKS[attack]
    client.force_login(gestionnaire)
    response = client.post(
        f"/api/conseillers/tranches/{second.pk}/justify/",
        {"rapport_activite": upload(content), "bulletins_salaire": upload()},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    [message] = body["details"]["rapport_activite"]
    assert message.startswith(f"« Rapport d'activité » {refusal}")
    assert not Justification.objects.exists()


def test_a_plain_pdf_is_accepted_through_every_door(client, gestionnaire, second):
    registered = client.post(
        "/conseillers/candidats/inscription/", {**REGISTRATION, "cv": upload(name="cv.pdf")}
    )
    assert registered.status_code == 200
    client.force_login(gestionnaire)
    justified = client.post(
        f"/api/conseillers/tranches/{second.pk}/justify/",
        {"rapport_activite": upload(), "bulletins_salaire": upload()},
    )
    assert justified.status_code == 200, justified.json()
    assert Candidat.objects.get(email="rose.lambert@exemple.fr").cv
    assert Justification.objects.get().documents.count() == 2
