"""The applications list of ANCT in keyset pages: newest first, every application once, the
filters riding along in the links, as many queries at 5 applications as at 50."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conseillers.models import Candidature, CandidatureState
from tests.conseillers.factories import CandidatureFactory

pytestmark = pytest.mark.django_db

URL = "/conseillers/candidatures/"


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/conseillers/candidatures/(\d+)/">', html)]


def next_link(html: str) -> str | None:
    found = re.search(r'fr-pagination__link--next[^"]*" href="([^"]+)"', html)
    return found and found.group(1).replace("&amp;", "&")


def test_the_pages_list_every_application_newest_first(anct_client):
    CandidatureFactory.create_batch(30)
    first = anct_client.get(URL).content.decode()
    second = anct_client.get(URL + next_link(first)).content.decode()

    expected = list(Candidature.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    assert listed(first) + listed(second) == expected
    assert len(listed(first)) == 25
    assert next_link(second) is None
    assert "Page précédente" in second


def test_the_state_filter_rides_along_in_the_links(anct_client):
    CandidatureFactory.create_batch(27, state=CandidatureState.VALIDATED)
    CandidatureFactory.create_batch(5)

    first = anct_client.get(URL, {"etat": CandidatureState.VALIDATED}).content.decode()
    link = next_link(first)
    second = anct_client.get(URL + link).content.decode()

    assert f"etat={CandidatureState.VALIDATED}" in link
    assert len(listed(first) + listed(second)) == 27


def count(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_a_page_costs_the_same_queries_at_5_and_50_applications(anct_client):
    CandidatureFactory.create_batch(5)
    anct_client.get(URL)  # warms the session and the content types up
    small = count(anct_client, URL)

    CandidatureFactory.create_batch(45)
    first = anct_client.get(URL).content.decode()

    assert count(anct_client, URL) == small
    assert count(anct_client, URL + next_link(first)) == small
