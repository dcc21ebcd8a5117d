import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from mandats.tasks import purge_expired_oidc_transactions

pytestmark = pytest.mark.django_db


def test_every_page_shows_the_aidants_current_organisation(client, aidant, organisation):
    client.force_login(aidant)
    for url in ("/", "/territoires/", "/structures/"):
        page = client.get(url).content.decode()
        assert organisation.structure.name in page, url
        assert "Organisation pour laquelle vous agissez" in page


def test_people_who_are_not_aidants_see_no_organisation_in_the_header(client, gestionnaire):
    client.force_login(gestionnaire)
    assert "Organisation pour laquelle vous agissez" not in client.get("/").content.decode()


def test_expired_oidc_transactions_are_purged_with_their_sessions():
    live, stale = SessionStore(), SessionStore()
    for store, state in ((live, "etat-valide"), (stale, "etat-expire")):
        store["_state_franceconnect"] = {"state": state}
        store.create()
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    purge_expired_oidc_transactions.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
