"""The attack: reading someone's uploaded file. No uploaded file has a public URL, not even in the
demo (DEBUG=1 used to serve /media/ to anyone knowing a name); each goes out through a view that
checks the reader's ability, as an attachment that no browser renders."""

import importlib
import re

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import clear_url_caches

import backend.urls
from conseillers import services
from conseillers.models import Candidat, MatchState
from conseillers.subsidy import services as subsidy
from tests.conseillers.factories import CandidatFactory, MatchFactory
from tests.factories import UserFactory
from tests.pdfs import PLAIN, upload

pytestmark = pytest.mark.django_db

PROTECTIVE_HEADERS = {
    "Content-Type": "application/pdf",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def registered(**extra) -> Candidat:
    candidat = services.candidats_register(
        departements=["37"],
        first_name="Rose",
        last_name="Lambert",
        email="rose.lambert@exemple.fr",
        situation="demandeur_emploi",
        available_from="2026-04-01",
        pix_level=2,
        cv=upload(name="mon-cv-2026-rose-lambert.pdf"),
        **extra,
    )
    return candidat


def assert_served_as_attachment(response, download_name: str) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PLAIN
    for header, value in PROTECTIVE_HEADERS.items():
        assert response[header] == value
    assert response["Content-Disposition"].startswith("attachment;")
    assert download_name in response["Content-Disposition"]


@pytest.fixture
def demo_urls():
    """The URLs as the demo (DEBUG=1) builds them: that is where /media/ used to be served."""
    with override_settings(DEBUG=True):
        importlib.reload(backend.urls)
        clear_url_caches()
        yield
    importlib.reload(backend.urls)
    clear_url_caches()


def test_the_stored_cv_has_a_random_name():
    candidat = registered()
    assert "Lambert" not in candidat.cv.name and "Rose" not in candidat.cv.name
    assert re.fullmatch(r"cv/[0-9a-f]{32}\.pdf", candidat.cv.name)


def test_the_old_media_url_answers_404_even_in_the_demo(client, demo_urls):
    candidat = registered()
    response = client.get(f"/media/{candidat.cv.name}")
    assert response.status_code == 404
    assert default_storage.exists(candidat.cv.name)  # the file is there, only not served


def test_anonymous_people_are_sent_to_log_in_and_get_no_cv(client):
    candidat = registered()
    response = client.get(f"/conseillers/candidats/{candidat.pk}/cv/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize("persona", ["gestionnaire", "outsider", "prefecture_37"])
def test_out_of_scope_readers_get_404_for_a_cv(client, persona, request):
    """No structure is in relation with the candidate yet: not even a manager of the
    département may read the CV."""
    candidat = registered()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/conseillers/candidats/{candidat.pk}/cv/").status_code == 404


def test_the_candidate_ancts_and_a_structure_in_relation_read_the_cv(
    client, anct, gestionnaire, structure
):
    person = UserFactory()
    candidat = registered(user=person)
    MatchFactory(structure=structure, candidat=candidat, state=MatchState.INTERESTED)
    url = f"/conseillers/candidats/{candidat.pk}/cv/"
    for reader in (person, anct, gestionnaire):
        client.force_login(reader)
        assert_served_as_attachment(client.get(url), "CV Rose Lambert.pdf")


def test_the_match_page_and_the_api_link_to_the_protected_cv(client, gestionnaire, structure):
    candidat = registered()
    match = MatchFactory(structure=structure, candidat=candidat, state=MatchState.INTERESTED)
    client.force_login(gestionnaire)
    page = client.get(f"/conseillers/mises-en-relation/{match.pk}/").content.decode()
    assert f'href="/conseillers/candidats/{candidat.pk}/cv/"' in page
    assert "/media/" not in page
    body = client.get(f"/api/conseillers/mises-en-relation/{match.pk}/").json()
    assert (
        body["candidat"]["cv_url"] == f"http://testserver/conseillers/candidats/{candidat.pk}/cv/"
    )


def test_a_candidate_without_cv_has_no_link(client, gestionnaire, structure):
    match = MatchFactory(structure=structure, candidat=CandidatFactory(), state=MatchState.NEW)
    client.force_login(gestionnaire)
    body = client.get(f"/api/conseillers/mises-en-relation/{match.pk}/").json()
    assert body["candidat"]["cv_url"] is None
    assert client.get(f"/conseillers/candidats/{match.candidat.pk}/cv/").status_code == 404


def justify(second, gestionnaire):
    return subsidy.tranche_submit(
        tranche=second,
        documents={
            "rapport_activite": upload(name="rapport Jean Dupont.pdf"),
            "bulletins_salaire": upload(name="bulletins Jean Dupont.pdf"),
        },
        by=gestionnaire,
    )


def test_a_justification_document_gets_a_random_stored_name(second, gestionnaire):
    names = [piece.file.name for piece in justify(second, gestionnaire).documents.all()]
    assert all("Dupont" not in name and "rapport" not in name for name in names)
    assert len(set(names)) == 2


@pytest.mark.parametrize("persona", ["without_role", "outsider", "prefecture_33"])
def test_out_of_scope_readers_get_404_for_a_justification_document(
    client, second, gestionnaire, persona, request
):
    piece = justify(second, gestionnaire).documents.first()
    reader = UserFactory() if persona == "without_role" else request.getfixturevalue(persona)
    client.force_login(reader)
    assert client.get(f"/conseillers/subventions/pieces/{piece.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["gestionnaire", "anct", "prefecture_37"])
def test_in_scope_readers_get_the_justification_document_as_an_attachment(
    client, second, gestionnaire, persona, request
):
    piece = justify(second, gestionnaire).documents.get(kind="rapport_activite")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"/conseillers/subventions/pieces/{piece.pk}/")
    assert_served_as_attachment(response, f"rapport_activite-{second.order_reference}.pdf")


def test_the_tranche_page_and_the_api_link_to_the_protected_documents(client, second, gestionnaire):
    piece = justify(second, gestionnaire).documents.get(kind="rapport_activite")
    client.force_login(gestionnaire)
    page = client.get(f"/conseillers/subventions/tranches/{second.pk}/").content.decode()
    assert f'href="/conseillers/subventions/pieces/{piece.pk}/"' in page
    body = client.get(f"/api/conseillers/tranches/{second.pk}/").json()
    links = {document["kind"]: document["download_url"] for document in body["documents"]}
    assert links["rapport_activite"] == (
        f"http://testserver/conseillers/subventions/pieces/{piece.pk}/"
    )


def test_the_admin_links_to_the_protected_cv_and_offers_no_upload(admin_client):
    candidat = registered()
    page = admin_client.get(f"/admin/conseillers/candidat/{candidat.pk}/change/").content.decode()
    assert f'href="/conseillers/candidats/{candidat.pk}/cv/"' in page
    assert 'type="file"' not in page
    assert candidat.cv.name not in page
