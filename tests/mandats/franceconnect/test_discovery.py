"""A provider whose discovery document names another issuer than its own URL is not believed:
the login does not even start, and the person is told in French."""

import pytest

from tests.mandats.franceconnect.flows import assert_refused, records

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_provider_announcing_another_issuer_is_not_believed(aidant_web, mock_provider, settings):
    settings.FRANCECONNECT_MOCK_ISSUER = "https://franceconnect.usurpe.exemple/api/v2"
    aidant_web.submit(
        "/aidants-connect/nouveau-mandat/", {"demarches": ["social"], "duration": "jour"}
    )
    before = records()

    response = aidant_web.submit("/aidants-connect/nouveau-mandat/franceconnect/")

    assert_refused(response, 502, "ne se présente pas comme attendu", "discovery_issuer")
    assert records() == before
