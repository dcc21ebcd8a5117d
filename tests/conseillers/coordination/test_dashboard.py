"""The dashboard counts coordinator posts apart: among the granted and occupied posts, never
added to them, the same at every level and in every export."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from conseillers import services
from conseillers.dashboard.snapshot import dashboard_figures, dashboard_refresh
from conseillers.models import DepartementFigures, PostKind
from tests.conseillers.coordination.conftest import grant, in_post
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinators(db):
    """37: 3 + 2 posts, 1 + 1 coordinator posts, one coordinator and one conseiller in post;
    41: 2 posts, 1 coordinator post, vacant; 33: 1 post, no coordinator."""
    first, second = StructureFactory(departement_id="37"), StructureFactory(departement_id="37")
    grant(first, posts=3, coordinators=1)
    grant(second, posts=2, coordinators=1)
    in_post(first, PostKind.COORDINATOR)
    in_post(first)
    grant(StructureFactory(departement_id="41"), posts=2, coordinators=1)
    grant(StructureFactory(departement_id="33"), posts=1)


def test_the_refresh_stores_coordinator_posts_per_departement(coordinators):
    dashboard_refresh(now=timezone.now())
    stored = DepartementFigures.objects.get(departement_id="37")
    assert (stored.granted, stored.coordinator_granted) == (5, 2)
    assert (stored.occupied, stored.coordinator_occupied) == (2, 1)
    assert DepartementFigures.objects.get(departement_id="33").coordinator_granted == 0


def test_regions_and_nation_sum_the_coordinator_posts(coordinators):
    figures = dashboard_figures(departement_codes=None, now=timezone.now(), nation_name="France")
    centre = next(row for row in figures.regions if row.code == "24")
    assert (centre.counts.coordinator_granted, centre.counts.coordinator_occupied) == (3, 1)
    assert figures.nation.counts.coordinator_granted == 3
    assert figures.nation.counts.granted == 8  # within the posts, not added to them


def test_a_recruitment_moves_the_coordinator_count_after_a_refresh(coordinators, anct):
    structure = StructureFactory(departement_id="41")
    grant(structure, posts=1, coordinators=1)
    coordinator = in_post(structure, PostKind.COORDINATOR)
    dashboard_refresh(now=timezone.now())
    assert DepartementFigures.objects.get(departement_id="41").coordinator_occupied == 1
    services.match_end(match=coordinator, by=anct)
    dashboard_refresh(now=timezone.now())
    assert DepartementFigures.objects.get(departement_id="41").coordinator_occupied == 0


def test_the_table_and_the_open_data_carry_the_coordinator_columns(client, anct, coordinators):
    client.force_login(anct)
    table = client.get(reverse("conseillers:dashboard-csv")).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(table), delimiter=";"))
    header = lines[0]
    row = next(line for line in lines if line[0] == "37")
    assert row[header.index("Dont postes de coordinateur accordés")] == "2"
    assert row[header.index("Dont postes de coordinateur occupés")] == "1"
    opendata = client.get(reverse("conseillers:dashboard-opendata-csv")).content.decode()
    records = list(csv.DictReader(io.StringIO(opendata)))
    by_code = {record["code_departement"]: record for record in records}
    assert by_code["37"]["postes_coordinateur_accordes"] == "2"
    assert by_code["37"]["postes_coordinateur_occupes"] == "1"
    assert by_code["41"]["postes_coordinateur_accordes"] == "1"
    page = client.get(reverse("conseillers:dashboard")).content.decode()
    assert "Dont postes de coordinateur accordés" in page


def test_the_envelopes_page_shows_the_coordinator_posts_apart(client, anct, coordinators):
    client.force_login(anct)
    page = client.get(reverse("conseillers:envelopes")).content.decode()
    assert "Dont coordinateurs" in page
