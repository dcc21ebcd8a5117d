"""Choosing a password: the first access of a newly habilitated aidant, or a forgotten one."""

import re

import pytest
from django.core import mail

from mandats import services as mandats_services
from mandats.tasks import send_habilitation_validated_email
from tests.factories import UserFactory
from tests.mandats.factories import HabilitationRequestFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/mot-de-passe/nouveau/[^\s]+/")
NEW_PASSWORD = "une phrase de passe solide"


def logs_in(client, email: str, password: str) -> bool:
    """Through the login page: every login goes through the login policy, which needs the
    request (the test client's login() has none)."""
    return client.post("/connexion/", {"username": email, "password": password}).status_code == 302


def link_in(message) -> str:
    return LINK.search(message.body).group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_known_address_receives_a_single_use_link_that_sets_the_password(client):
    UserFactory(email="agent@exemple.fr")
    response = client.post("/mot-de-passe/", {"email": "agent@exemple.fr"}, follow=True)
    assert "Si un compte existe pour cette adresse" in response.content.decode()
    assert len(mail.outbox) == 1
    path = "/" + link_in(mail.outbox[0])
    form_page = client.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert logs_in(client, "agent@exemple.fr", NEW_PASSWORD)
    client.logout()
    assert "Ce lien a déjà servi ou a expiré" in client.get(path, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post("/mot-de-passe/", {"email": "inconnu@exemple.fr"}, follow=True)
    assert "Si un compte existe pour cette adresse" in response.content.decode()
    assert mail.outbox == []


def test_a_weak_password_is_refused_in_french(client):
    UserFactory(email="agent@exemple.fr")
    client.post("/mot-de-passe/", {"email": "agent@exemple.fr"})
    form_page = client.get("/" + link_in(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert "Ce mot de passe est trop court" in response.content.decode()


def test_a_validated_aidant_is_emailed_a_link_to_choose_its_password(client, anct):
    request = HabilitationRequestFactory(email="nouvelle.aidante@exemple.fr")
    mandats_services.habilitation_request_validate(habilitation_request=request, by=anct)
    mail.outbox.clear()
    send_habilitation_validated_email(request.pk)
    assert len(mail.outbox) == 1
    form_page = client.get("/" + link_in(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert logs_in(client, "nouvelle.aidante@exemple.fr", NEW_PASSWORD)
