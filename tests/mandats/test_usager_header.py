"""The usager space is found from the home page, and once an usager is logged in with
FranceConnect the header names them (with the way out), not "Se connecter"."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.mandats.test_usager_space import usager_client

pytestmark = pytest.mark.django_db


def test_the_public_home_links_to_the_usager_space(client):
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("mandats:usager-space")}"' in page


def test_the_header_names_the_usager_logged_in_with_franceconnect(usager):
    page = usager_client(usager).get(reverse("core:home")).content.decode()
    assert usager.full_name in page
    assert f'action="{reverse("mandats:usager-logout")}"' in page
    assert "Se connecter</a></li>" not in page.split("<main")[0]


def test_an_expired_usager_session_is_no_longer_shown_in_the_header(usager):
    expired = (timezone.now() - timezone.timedelta(minutes=1)).timestamp()
    page = usager_client(usager, expires_at=expired).get(reverse("core:home")).content.decode()
    assert usager.full_name not in page
    assert f'href="{reverse("core:login")}"' in page.split("<main")[0]
