"""The dashboard page: key figures, level switch, server-side sorting."""

import re

import pytest
from django.urls import reverse

from conseillers.dashboard.columns import BY_KEY, sort_rows
from conseillers.dashboard.selectors import territorial_dashboard

pytestmark = pytest.mark.django_db

URL = "/conseillers/tableau-de-bord/"


def body_rows(page: str) -> list[str]:
    """The row headers (territory names) of the table body, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', body)


def header(page: str, label: str) -> str:
    """The opening tag and link of the column header whose label is `label`."""
    match = re.search(r'<th scope="col"[^>]*>\s*<a href="[^"]*">' + re.escape(label), page)
    assert match, label
    return match.group(0)


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def test_the_url_is_the_documented_one():
    assert reverse("conseillers:dashboard") == URL


def test_the_page_shows_the_national_figures(anct_client, dataset):
    page = anct_client.get(URL).content.decode()
    assert "<h1>Tableau de bord territorial</h1>" in page
    assert "Périmètre : France entière (tous les départements)." in page
    assert re.search(r"Indice des postes accordés</dt>\s*<dd[^>]*>30,00 %", page)
    assert re.search(r"Indice des enveloppes</dt>\s*<dd[^>]*>23,85 %", page)
    assert "la part des postes qu'il faudrait déplacer" in page
    assert re.search(r"Attente la plus longue</dt>\s*<dd[^>]*>10 jours", page)


def test_a_departement_row_reads_in_french_notation(anct_client, dataset):
    page = anct_client.get(URL).content.decode()
    row = re.search(r"<tr><td[^>]*>37</td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row)
    assert cells == [
        "Indre-et-Loire",
        "Centre-Val de Loire",
        "600\xa0000",
        "35",
        "6",
        "0",
        "4",
        "0",
        "1",
        "2",
        "10",
        "7,0",
        "0,67",
        "83,3",
        "16,7",
        "3,00",
        "+3,00",
    ]


def test_the_table_is_sorted_by_code_by_default(anct_client, dataset):
    page = anct_client.get(URL).content.decode()
    names = body_rows(page)
    assert names[:3] == ["Ain", "Aisne", "Allier"]
    assert 'aria-sort="ascending"' in header(page, "Code")
    assert page.count("aria-sort=") == 1


def test_sorting_by_a_column_in_descending_order(anct_client, dataset):
    page = anct_client.get(URL, {"tri": "accordes", "ordre": "desc"}).content.decode()
    assert body_rows(page)[:3] == ["Indre-et-Loire", "Gironde", "Ain"]
    granted = header(page, "Postes accordés")
    assert 'aria-sort="descending"' in granted
    # Following the link of the sorted column flips the order; other columns start ascending.
    assert "tri=accordes&amp;ordre=asc" in granted
    assert "tri=population&amp;ordre=asc" in header(page, "Population")


def test_sorting_by_deviation_puts_the_best_served_first(anct_client, dataset):
    page = anct_client.get(
        URL, {"niveau": "region", "tri": "ecart", "ordre": "desc"}
    ).content.decode()
    names = body_rows(page)
    assert names[0] == "Centre-Val de Loire"
    assert names[-1] == "Nouvelle-Aquitaine"


def test_rows_without_a_value_come_last_in_both_orders(dataset, now):
    figures = territorial_dashboard(departement_codes=None, now=now, nation_name="France")
    for descending in (False, True):
        rows = sort_rows(figures.departements, BY_KEY["attente_moyenne"], descending=descending)
        waiting = [row.code for row in rows if row.mean_wait_days is not None]
        assert [row.code for row in rows[:2]] == waiting
        assert waiting == (["37", "41"] if descending else ["41", "37"])


def test_names_sort_as_a_french_reader_expects(anct_client, dataset):
    page = anct_client.get(URL, {"niveau": "region", "tri": "nom"}).content.decode()
    names = body_rows(page)
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("La Réunion")


def test_an_unknown_sort_or_level_falls_back_to_the_default(anct_client, dataset):
    page = anct_client.get(URL, {"niveau": "canton", "tri": "x", "ordre": "y"}).content.decode()
    assert body_rows(page)[0] == "Ain"
    assert 'aria-sort="ascending"' in header(page, "Code")


def test_the_level_switch_keeps_the_sort(anct_client, dataset):
    page = anct_client.get(URL, {"tri": "occupes", "ordre": "desc"}).content.decode()
    assert 'href="?niveau=region&amp;tri=occupes&amp;ordre=desc#carte"' in page
    assert re.search(r'href="\?niveau=departement[^"]*"\s+aria-current="true"', page)


def test_the_region_level_lists_regions_with_the_national_total(anct_client, dataset):
    page = anct_client.get(URL, {"niveau": "region"}).content.decode()
    assert "Nouvelle-Aquitaine" in body_rows(page)
    assert "Gironde" not in body_rows(page)
    footer = page.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert '<th scope="row">France entière</th>' in footer
    assert ">2\xa0000\xa0000<" in footer
    assert ">Région</a>" not in page.split("<thead>", 1)[1].split("</thead>", 1)[0]


def test_the_national_level_has_one_row_and_no_footer(anct_client, dataset):
    page = anct_client.get(URL, {"niveau": "national", "tri": "code"}).content.decode()
    assert body_rows(page) == ["France entière"]
    assert "<tfoot>" not in page
    assert 'aria-sort="ascending"' in header(page, "Territoire")
