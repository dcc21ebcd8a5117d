"""The usager sees every use made of their mandates, as the mandate text promises: from the
journal, only their own, paginated, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from idp.services import relying_party_register
from mandats import services
from mandats.models import JournalEntry
from mandats.views.usager_space import USES_PER_PAGE
from tests.mandats.factories import MandatFactory, UsagerFactory
from tests.mandats.test_usager_space import usager_client

pytestmark = pytest.mark.django_db

SPACE = reverse("mandats:usager-space")


def uses_url(mandat) -> str:
    return reverse("mandats:usager-mandat-uses", args=[mandat.pk])


@pytest.fixture
def caf(db):
    return relying_party_register(
        client_id="caf-demo",
        name="Caisse d'allocations familiales",
        secret="s" * 40,
        redirect_uris=["http://127.0.0.1:9000/retour/"],
        demarches=["social", "argent"],
    )


def uses_in(html: str) -> list[str]:
    """Each use as listed on the page, newest first."""
    listed = html.split('<ol class="app-uses')[1].split("</ol>")[0] if "app-uses" in html else ""
    return listed.split('<li class="fr-mb-3w">')[1:]


def use(mandat, demarche, by, service=""):
    autorisation = mandat.autorisations.get(demarche=demarche)
    return services.autorisation_use(autorisation=autorisation, by=by, service=service)


def test_each_use_shows_its_date_demarche_service_aidant_and_organisation(
    mandat, usager, aidant, caf
):
    entry = use(mandat, "social", aidant, service=caf.client_id)

    html = usager_client(usager).get(uses_url(mandat)).content.decode()

    row = uses_in(html)[0]
    assert "Démarche : Social - Santé" in row
    assert "Caisse d&#x27;allocations familiales" in row
    assert aidant.get_full_name() in row
    assert mandat.organisation.name in row
    assert f"{timezone.localtime(entry.created_at):%H:%M}" in row


def test_a_service_no_longer_registered_keeps_its_client_id(mandat, usager, aidant):
    use(mandat, "argent", aidant, service="ancien-service")

    html = usager_client(usager).get(uses_url(mandat)).content.decode()

    assert "ancien-service" in html


def test_the_space_counts_the_uses_of_each_mandate_and_links_to_them(mandat, usager, aidant):
    use(mandat, "social", aidant)
    use(mandat, "argent", aidant)
    unused = MandatFactory(organisation=mandat.organisation, usager=usager, demarches=["justice"])

    html = usager_client(usager).get(SPACE).content.decode()

    card, other = (
        html.split(f'id="mandat-{mandat.pk}"')[1],
        html.split(f'id="mandat-{unused.pk}"')[1],
    )
    assert "Utilisé 2 fois" in card.split("</section>")[0]
    assert f'href="{uses_url(mandat)}"' in html
    assert "Aucun aidant n'a encore utilisé ce mandat." in other.split("</section>")[0]
    assert f'href="{uses_url(unused)}"' not in html


def test_another_usagers_mandate_and_its_uses_are_not_shown(mandat, usager, aidant):
    use(mandat, "social", aidant)
    stranger = UsagerFactory()

    assert usager_client(stranger).get(uses_url(mandat)).status_code == 404
    assert "Utilisé 1 fois" not in usager_client(stranger).get(SPACE).content.decode()


def test_only_uses_are_listed_not_creations_or_revocations(mandat, usager, aidant):
    use(mandat, "social", aidant)
    services.autorisation_revoke(
        autorisation=mandat.autorisations.get(demarche="argent"), by=aidant
    )
    assert JournalEntry.objects.filter(mandat_id=mandat.pk).count() > 1

    html = usager_client(usager).get(uses_url(mandat)).content.decode()

    assert len(uses_in(html)) == 1


def test_without_franceconnect_the_uses_page_sends_to_the_login_page(client, mandat):
    assert client.get(uses_url(mandat)).url == reverse("mandats:usager-login")


def test_the_uses_are_paginated_newest_first_in_constant_queries(mandat, usager, aidant, caf):
    for _ in range(USES_PER_PAGE + 2):
        use(mandat, "social", aidant, service=caf.client_id)
    newest = JournalEntry.objects.order_by("-pk").first()
    client = usager_client(usager)
    client.get(uses_url(mandat))  # the session is read once

    with CaptureQueriesContext(connection) as queries:
        first = client.get(uses_url(mandat)).content.decode()
    second = client.get(uses_url(mandat) + "?page=2").content.decode()

    assert len(uses_in(first)) == USES_PER_PAGE
    assert len(uses_in(second)) == 2
    assert f"{newest.created_at:%Y}" in first
    # Session, mandate, count, page of entries (with organisation and aidant), service names.
    assert len(queries) <= 6


def test_the_space_reads_the_uses_in_one_query_whatever_their_number(usager, organisation, aidant):
    mandats = [MandatFactory(organisation=organisation.structure, usager=usager) for _ in range(3)]
    client = usager_client(usager)
    with CaptureQueriesContext(connection) as before:
        client.get(SPACE)
    for mandat in mandats:
        for autorisation in mandat.autorisations.all():
            services.autorisation_use(autorisation=autorisation, by=aidant)

    with CaptureQueriesContext(connection) as after:
        client.get(SPACE)

    assert len(after) == len(before)
