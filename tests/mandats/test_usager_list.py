import datetime

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mandats.selectors import usagers_with_active_mandats
from tests.mandats.factories import MandatFactory, UsagerFactory

URL = reverse("mandats:usager-list")


def sign_mandates(organisation, count: int) -> None:
    for _ in range(count):
        MandatFactory(
            organisation=organisation.structure, demarches=["social", "argent", "travail"]
        )


def test_lists_the_usagers_with_an_active_mandate_and_their_demarches(
    verified_client, aidant, organisation, other_organisation
):
    alice = UsagerFactory(given_names="Alice", family_name="MARTIN")
    MandatFactory(organisation=organisation.structure, usager=alice, demarches=["social"])
    expired = UsagerFactory(given_names="Bruno", family_name="EXPIRE")
    MandatFactory(organisation=organisation.structure, usager=expired, expired=True)
    revoked = UsagerFactory(given_names="Chloé", family_name="REVOQUE")
    mandat = MandatFactory(organisation=organisation.structure, usager=revoked)
    mandat.autorisations.update(revoked_at=timezone.now())
    elsewhere = UsagerFactory(given_names="Denis", family_name="AILLEURS")
    MandatFactory(organisation=other_organisation.structure, usager=elsewhere)

    response = verified_client(aidant).get(URL)

    assert response.status_code == 200
    assert [u.pk for u in response.context["page"]] == [alice.pk]
    html = response.content.decode()
    assert "Alice MARTIN" in html
    assert "Social - Santé" in html
    assert "EXPIRE" not in html and "REVOQUE" not in html and "AILLEURS" not in html


def test_a_revoked_autorisation_is_not_listed(verified_client, aidant, mandat):
    mandat.autorisations.filter(demarche="social").update(revoked_at=timezone.now())

    html = verified_client(aidant).get(URL).content.decode()

    assert "Argent - Impôts - Consommation" in html
    assert "Social - Santé" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [("martin", ["Alice"]), ("ali mar", ["Alice"]), ("DURAND", ["Bernard"]), ("zoé", [])],
)
def test_searches_by_given_or_family_name(verified_client, aidant, organisation, query, expected):
    for given, family in [("Alice", "Martin"), ("Bernard", "Durand")]:
        usager = UsagerFactory(given_names=given, family_name=family)
        MandatFactory(organisation=organisation.structure, usager=usager)

    response = verified_client(aidant).get(URL, {"q": query})

    assert [u.given_names for u in response.context["page"]] == expected
    assert 'for="id_q"' in response.content.decode()


def test_paginates(verified_client, aidant, organisation):
    sign_mandates(organisation, 25)

    client = verified_client(aidant)
    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 5
    assert "Page suivante" in first.content.decode()


def test_the_selector_runs_in_four_queries_once_paginated(organisation, django_assert_num_queries):
    sign_mandates(organisation, 3)

    with django_assert_num_queries(4):  # count, page, mandates, autorisations
        page = Paginator(usagers_with_active_mandats(organisation=organisation.structure), 20).page(
            1
        )
        demarches = [
            a.demarche for u in page for m in u.active_mandats for a in m.active_autorisations
        ]
    assert len(demarches) == 9


def _count_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_in_the_same_number_of_queries_at_5_and_50_usagers(
    verified_client, aidant, organisation
):
    client = verified_client(aidant)
    sign_mandates(organisation, 5)
    at_5 = _count_page_queries(client)

    sign_mandates(organisation, 45)
    # A second mandate for some usagers, so the volume of mandates grows too.
    for mandat in list(organisation.structure.mandats.all()[:10]):
        MandatFactory(
            organisation=organisation.structure,
            usager=mandat.usager,
            demarches=["logement"],
            created_at=timezone.now() - datetime.timedelta(days=1),
        )
    at_50 = _count_page_queries(client)

    assert at_5 == at_50


def test_the_menu_shows_each_person_only_what_their_role_allows(verified_client, aidant, referent):
    aidant_html = verified_client(aidant).get(URL).content.decode()
    assert reverse("mandats:mandat-new") in aidant_html
    assert reverse("mandats:referent-index") not in aidant_html

    referent_html = verified_client(referent).get(URL).content.decode()
    assert reverse("mandats:referent-index") in referent_html
    assert reverse("mandats:mandat-new") not in referent_html
