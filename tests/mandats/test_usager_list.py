import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import keyset
from mandats.models import Usager
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
    [
        ("martin", ["Alice"]),
        ("ali mar", ["Alice"]),
        ("DURAND", ["Bernard"]),
        ("zoé", []),
        ("helene", ["Hélène"]),
        ("HÉLÈNE LÉGER", ["Hélène"]),
        ("leger", ["Hélène"]),
    ],
)
def test_searches_by_given_or_family_name(verified_client, aidant, organisation, query, expected):
    for given, family in [("Alice", "Martin"), ("Bernard", "Durand"), ("Hélène", "Léger")]:
        usager = UsagerFactory(given_names=given, family_name=family)
        MandatFactory(organisation=organisation.structure, usager=usager)

    response = verified_client(aidant).get(URL, {"q": query})

    assert [u.given_names for u in response.context["page"]] == expected
    assert 'for="id_q"' in response.content.decode()


def test_pages_forward_and_back_by_name(verified_client, aidant, organisation):
    sign_mandates(organisation, 25)
    names = sorted(
        (u.family_name, u.given_names, u.pk)
        for u in Usager.objects.filter(mandats__organisation=organisation.structure)
    )

    client = verified_client(aidant)
    first = client.get(URL)
    second = client.get(URL, {"curseur": first.context["page"].next_cursor})
    back = client.get(URL, {"curseur": second.context["page"].previous_cursor})

    assert [u.pk for u in first.context["page"]] == [pk for *_, pk in names[:20]]
    assert [u.pk for u in second.context["page"]] == [pk for *_, pk in names[20:]]
    assert [u.pk for u in back.context["page"]] == [pk for *_, pk in names[:20]]
    assert "Page suivante" in first.content.decode()
    assert not second.context["page"].has_next and not back.context["page"].has_previous


def test_a_search_keeps_its_words_across_pages(verified_client, aidant, organisation):
    for index in range(23):
        usager = UsagerFactory(given_names=f"Zoé {index:02d}", family_name="Lefèvre")
        MandatFactory(organisation=organisation.structure, usager=usager)
    sign_mandates(organisation, 5)

    client = verified_client(aidant)
    first = client.get(URL, {"q": "zoe lefevre"})
    next_link = 'fr-pagination__link--next fr-pagination__link--lg-label" href="'
    link = first.content.decode().split(next_link)[1].split('"')[0]
    second = client.get(URL + link.replace("&amp;", "&"))

    assert len(first.context["page"]) == 20
    assert [u.given_names for u in second.context["page"]] == ["Zoé 20", "Zoé 21", "Zoé 22"]


def test_a_forged_cursor_opens_the_first_page(verified_client, aidant, organisation):
    sign_mandates(organisation, 3)

    response = verified_client(aidant).get(URL, {"curseur": "WyJuIiwgWyJhIiwgImIiLCAiYyJdXQ"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 3


def test_the_selector_runs_in_three_queries_a_page(organisation, django_assert_num_queries):
    sign_mandates(organisation, 3)

    with django_assert_num_queries(3):  # page, mandates, autorisations: no count
        page = keyset.paginate(
            usagers_with_active_mandats(organisation=organisation.structure), size=20, cursor=None
        )
        demarches = [
            a.demarche for u in page for m in u.active_mandats for a in m.active_autorisations
        ]
    assert len(demarches) == 9


def _count_page_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


def _second_page_queries(client) -> int:
    cursor = client.get(URL, {"q": "a"}).context["page"].next_cursor
    return _count_page_queries(client, q="a", curseur=cursor or "")


def test_the_page_runs_in_the_same_number_of_queries_at_5_and_50_usagers(
    verified_client, aidant, organisation
):
    client = verified_client(aidant)
    sign_mandates(organisation, 5)
    at_5 = [_count_page_queries(client), _count_page_queries(client, q="a")]

    sign_mandates(organisation, 45)
    # A second mandate for some usagers, so the volume of mandates grows too.
    for mandat in list(organisation.structure.mandats.all()[:10]):
        MandatFactory(
            organisation=organisation.structure,
            usager=mandat.usager,
            demarches=["logement"],
            created_at=timezone.now() - datetime.timedelta(days=1),
        )
    at_50 = [_count_page_queries(client), _count_page_queries(client, q="a")]

    assert at_5 == at_50
    assert _second_page_queries(client) == at_50[1]


def test_the_menu_shows_each_person_only_what_their_role_allows(verified_client, aidant, referent):
    aidant_html = verified_client(aidant).get(URL).content.decode()
    assert reverse("mandats:mandat-new") in aidant_html
    assert reverse("mandats:referent-index") not in aidant_html

    referent_html = verified_client(referent).get(URL).content.decode()
    assert reverse("mandats:referent-index") in referent_html
    assert reverse("mandats:mandat-new") not in referent_html
