"""The admin shows the requests, their opinions and their log, and changes none of them."""

import pytest

from tests.conseillers.amendments.factories import AmendmentRequestFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_reads_a_request_and_offers_no_change(client, structure):
    amendment = AmendmentRequestFactory(structure=structure)
    client.force_login(UserFactory(is_anct=True, is_staff=True, is_superuser=True))

    listing = client.get("/admin/amendments/amendmentrequest/")
    page = client.get(f"/admin/amendments/amendmentrequest/{amendment.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert structure.name in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/amendments/amendmentrequest/add/").status_code == 403
