"""The payment orders list: filtered by structure name, région and département."""

import re

import pytest

from conseillers.subsidy import services as subsidy
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/conseillers/subventions/ordres/"


@pytest.fixture
def two_orders(career, other_structure, anct, today):
    """One approved tranche in Indre-et-Loire (37), one in Gironde (33)."""
    gironde = Career(
        structure=other_structure,
        manager=MembershipFactory(structure=other_structure).user,
        anct=anct,
    )
    for each in (career, gironde):
        match = each.recruit(months_ago(1, today))
        subsidy.tranche_approve(tranche=each.tranches(match)[0], by=anct)
    return career.structure, other_structure


def listed(client, **params: str) -> list[str]:
    page = client.get(URL, params).content.decode()
    return re.findall(r'<h2 id="ordre-\d+">([^<]+) — ', page)


def test_the_orders_by_region_departement_and_name(client, anct, two_orders):
    indre, gironde = two_orders
    client.force_login(anct)
    assert sorted(listed(client)) == sorted([indre.name, gironde.name])
    assert listed(client, region="75") == [gironde.name]
    assert listed(client, departement="37") == [indre.name]
    assert listed(client, q=gironde.name.upper()) == [gironde.name]
    assert listed(client, q="gironde") == [gironde.name]  # the département's name
    page = client.get(URL, {"region": "11"}).content.decode()
    assert "Aucun ordre de paiement ne répond à ces critères." in page
