"""The organisation's request on the pages: the public form, the link that confirms the address
and follows the request, and the ANCT's instruction pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Departement
from mandats import organisations
from mandats.models import OrganisationRequest, OrganisationRequestStatus
from tests.factories import valid_siret
from tests.mandats.factories import reload

AIDANTS = [{"first_name": "A", "last_name": "B", "email": "a@b.fr", "profession": ""}]
NEW = reverse("mandats:organisation-request-new")
FORM = {
    "siret": valid_siret(700),
    "name": "Centre social Les Tilleuls",
    "type": "privee",
    "departement": "37",
    "address": "1 place du Marché, 37000 Tours",
    "referent_first_name": "Sophie",
    "referent_last_name": "Durand",
    "referent_email": "sophie@tilleuls.fr",
    "aidants": "Inès ; Martin ; ines@tilleuls.fr ; CESF\nHugo ; Petit ; hugo@tilleuls.fr ; Agent",
    "demarches": ["social", "logement"],
}


def link_in_last_mail() -> str:
    return re.search(r"https?://[^/\s]+(/\S+/demande-habilitation/\S+/)", mail.outbox[-1].body)[1]


def test_anyone_asks_then_confirms_by_the_link(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, FORM)

    assert response.status_code == 200 and "Demande envoyée" in response.content.decode()
    request = OrganisationRequest.objects.get()
    assert [a["email"] for a in request.aidants] == ["ines@tilleuls.fr", "hugo@tilleuls.fr"]
    page = client.get(link_in_last_mail())
    assert "Votre adresse est confirmée" in page.content.decode()
    assert reload(request).email_confirmed_at is not None


def test_the_form_names_each_wrong_aidant_line(client, db):
    aidants = "Inès ; Martin\nHugo ; Petit ; pas-une-adresse ; x"
    response = client.post(NEW, {**FORM, "aidants": aidants})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Ligne 1 : prénom ; nom ; adresse électronique ; profession." in html
    assert "Ligne 2 : adresse électronique invalide (pas-une-adresse)." in html
    assert not OrganisationRequest.objects.exists()


def test_the_siret_is_checked_by_the_projects_validator(client, db):
    response = client.post(NEW, {**FORM, "siret": "12345678901234"})
    assert "SIRET n&#x27;est pas valide" in response.content.decode()


def test_a_forged_link_is_not_found(client, db):
    assert client.get(reverse("mandats:organisation-request-page", args=["abc"])).status_code == 404


def test_the_anct_instructs_asks_changes_and_the_requester_answers(
    client, anct, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW, FORM)
    link = link_in_last_mail()
    client.get(link)
    request = OrganisationRequest.objects.get()
    client.force_login(anct)

    def act(action, **data):
        url = reverse("mandats:organisation-request-act", args=[request.pk, action])
        return client.post(url, data)

    listing = client.get(reverse("mandats:organisation-requests")).content.decode()
    assert "Centre social Les Tilleuls" in listing
    act("instruire")
    with django_capture_on_commit_callbacks(execute=True):
        act("modifications", message="Ajoutez le numéro de téléphone du référent.")
    assert "Ajoutez le numéro de téléphone" in mail.outbox[-1].body
    client.logout()

    page = client.get(link).content.decode()
    assert "Transmettre les modifications" in page
    answer = {
        **{k: v for k, v in FORM.items() if k not in ("siret", "departement", "referent_email")},
        "referent_phone": "02 47 00 00 00",
        "message": "Voici le numéro.",
    }
    assert client.post(link, answer).status_code == 302
    request = reload(request)
    assert request.status == OrganisationRequestStatus.CHANGES_SUBMITTED
    assert request.referent_phone == "02 47 00 00 00"

    client.force_login(anct)
    act("instruire")
    act("valider")
    assert reload(request).status == OrganisationRequestStatus.VALIDATED
    detail = client.get(reverse("mandats:organisation-request-detail", args=[request.pk]))
    assert "Voici le numéro." in detail.content.decode()


@pytest.mark.parametrize("persona", ["referent", "gestionnaire", "prefecture_37"])
def test_the_instruction_pages_are_for_the_anct(verified_client, request, persona, anct):
    fields = {**FORM, "departement": Departement.objects.get(code="37"), "aidants": AIDANTS}
    organisation_request = organisations.organisation_request_submit(
        **fields, client_address="192.0.2.10"
    )
    client = verified_client(request.getfixturevalue(persona))

    assert client.get(reverse("mandats:organisation-requests")).status_code == 403
    url = reverse("mandats:organisation-request-act", args=[organisation_request.pk, "clore"])
    assert client.post(url, {"motif-message": "x"}).status_code == 403
    assert reload(organisation_request).status == OrganisationRequestStatus.NEW
