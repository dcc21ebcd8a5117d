"""The demo public service shows the identity it receives as a person reads it, not raw claims."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db

IDENTITY = {
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "birthdate": "1962-08-24",
    "gender": "female",
    "birthplace": "75107",
    "birthcountry": "99100",
    "sub": "abc",
}


def test_the_demo_service_shows_gender_date_and_places_in_words(rf: RequestFactory):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("idp/demo_home.html", {"identity": IDENTITY}, request=request)
    for shown in ("Féminin", "24 août 1962", "Paris 7e arrondissement", "France"):
        assert shown in html
    for raw in ("female", "1962-08-24", "75107", "99100"):
        assert raw not in html
