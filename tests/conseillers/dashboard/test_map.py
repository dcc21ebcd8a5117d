"""The dashboard's map: every territory drawn as a link to its page, coloured by the indicator."""

import re

import pytest

from conseillers.dashboard.choropleth import NO_VALUE, OUT_OF_SCOPE, PALETTE
from core.models import Departement

pytestmark = pytest.mark.django_db

URL = "/conseillers/tableau-de-bord/"


def shapes(page: str) -> dict[str, dict[str, str]]:
    """Each territory of the map by code: its link (empty if none), title and colour."""
    svg = page.split('<svg class="territory-map"', 1)[1].split("</figure>", 1)[0]
    found = {}
    pattern = (
        r'<(a href="(?P<url>[^"]*)" aria-label="[^"]*"|g) data-code="(?P<code>[^"]+)"[^>]*>'
        r'(<title>(?P<title>[^<]*)</title>)?<path d="[^"]+" fill="(?P<fill>[^"]+)">'
    )
    for match in re.finditer(pattern, svg):
        found[match["code"]] = {
            "url": match["url"] or "",
            "title": match["title"] or "",
            "fill": match["fill"],
        }
    return found


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def test_every_departement_but_the_overseas_collectivities_is_a_link(anct_client, dataset):
    drawn = shapes(anct_client.get(URL).content.decode())
    expected = set(Departement.objects.exclude(zone="com").values_list("code", flat=True))
    assert len(drawn) == 101
    assert set(drawn) == expected
    for code, shape in drawn.items():
        assert shape["url"] == f"{URL}departements/{code}/"
    assert {"971", "972", "973", "974", "976", "2A", "2B"} <= set(drawn)


def test_each_link_says_the_name_and_the_value(anct_client, dataset):
    drawn = shapes(anct_client.get(URL).content.decode())
    assert drawn["37"]["title"] == ("Indre-et-Loire : 0,67 (conseillers pour 100 000 habitants)")
    assert drawn["33"]["title"] == "Gironde : 0,09 (conseillers pour 100 000 habitants)"
    # No inhabitant recorded: no rate, said in words and drawn in the "no value" colour.
    assert drawn["01"]["title"] == "Ain : non disponible (conseillers pour 100 000 habitants)"
    assert drawn["01"]["fill"] == NO_VALUE


def test_the_colours_follow_the_chosen_indicator(anct_client, dataset):
    per_inhabitant = shapes(anct_client.get(URL).content.decode())
    assert per_inhabitant["37"]["fill"] == PALETTE[-1]
    assert per_inhabitant["41"]["fill"] == PALETTE[0]
    assert per_inhabitant["33"]["fill"] == PALETTE[0]

    granted = shapes(anct_client.get(URL, {"indicateur": "accordes"}).content.decode())
    # 0 to 6 posts in five classes of 1.2: 6 is the darkest, 4 the fourth, 0 the lightest.
    assert granted["37"]["fill"] == PALETTE[4]
    assert granted["33"]["fill"] == PALETTE[3]
    assert granted["41"]["fill"] == PALETTE[0]
    assert granted["37"]["title"] == "Indre-et-Loire : 6 (postes accordés)"


def test_the_legend_gives_the_classes_in_french_notation(anct_client, dataset):
    page = anct_client.get(URL, {"indicateur": "accordes"}).content.decode()
    legend = page.split('class="territory-map__legend"', 1)[1].split("</ul>", 1)[0]
    labels = re.findall(r"</span> ([^<]+)</li>", legend)
    assert labels == ["de 0 à 1", "de 1 à 2", "de 2 à 4", "de 4 à 5", "de 5 à 6", "non disponible"]


def test_an_unknown_indicator_falls_back_to_conseillers_per_inhabitants(anct_client, dataset):
    page = anct_client.get(URL, {"indicateur": "nimporte"}).content.decode()
    assert "Carte : conseillers en poste pour 100 000 habitants, par département" in page


def test_the_region_level_draws_the_regions(anct_client, dataset):
    page = anct_client.get(URL, {"niveau": "region"}).content.decode()
    drawn = shapes(page)
    assert len(drawn) == 18
    assert {"01", "02", "03", "04", "06", "94", "11", "24", "75"} <= set(drawn)
    assert drawn["24"]["url"] == f"{URL}regions/24/"
    assert drawn["24"]["fill"] == PALETTE[-1]
    assert drawn["24"]["title"].startswith("Centre-Val de Loire : 0,44")
    assert "Carte : conseillers en poste pour 100 000 habitants, par région" in page


def test_the_table_is_the_text_alternative_of_the_map(anct_client, dataset):
    page = anct_client.get(URL).content.decode()
    assert "Les valeurs exactes figurent dans le tableau de la page." in page
    assert "@gouvfr/dsfr-chart 2.0.4 (DINUM, licence MIT)" in page
    table = page.split('<details class="fr-mb-2w" id="tableau">', 1)[1].split("</details>", 1)[0]
    assert "<caption>Postes de conseillers numériques par département" in table
    assert table.count('<th scope="row">') == Departement.objects.count() + 1


def test_the_table_opens_once_sorted(anct_client, dataset):
    page = anct_client.get(URL, {"tri": "accordes"}).content.decode()
    assert '<details class="fr-mb-2w" id="tableau" open>' in page


def test_a_prefecture_sees_the_others_as_an_unnamed_backdrop(client, prefecture_37, dataset):
    client.force_login(prefecture_37)
    page = client.get(URL).content.decode()
    drawn = shapes(page)
    assert len(drawn) == 101
    assert drawn["37"]["url"] == f"{URL}departements/37/"
    assert drawn["41"] == {"url": "", "title": "", "fill": OUT_OF_SCOPE}
    assert '<g data-code="41" aria-hidden="true">' in page


def test_the_page_leads_with_the_figures_of_the_programme(anct_client, dataset):
    page = anct_client.get(URL).content.decode()
    labels = re.findall(r'<dt class="fr-text--sm fr-mb-0">([^<]+)</dt>', page)
    assert labels[:4] == [
        "Postes accordés",
        "Postes occupés",
        "Postes vacants",
        "Enveloppe (postes)",
    ]
    assert "Budget engagé" in labels
    assert "Budget versé (net des reversements)" in labels
    assert re.search(r"Postes accordés</dt>\s*<dd[^>]*>10<", page)


def test_the_departement_page(anct_client, dataset):
    page = anct_client.get(f"{URL}departements/37/").content.decode()
    assert "<h1>Indre-et-Loire</h1>" in page
    assert re.search(r"Postes accordés</dt>\s*<dd[^>]*>6<", page)
    assert f'href="{URL}regions/24/"' in page


def test_the_region_page_links_its_departements(anct_client, dataset):
    page = anct_client.get(f"{URL}regions/24/").content.decode()
    assert "<h1>Centre-Val de Loire</h1>" in page
    assert f'<a href="{URL}departements/37/">Indre-et-Loire</a>' in page
    assert f'<a href="{URL}departements/41/">Loir-et-Cher</a>' in page
    assert "Gironde" not in page


def test_a_territory_outside_the_scope_or_unknown_is_not_found(client, prefecture_37, dataset):
    client.force_login(prefecture_37)
    assert client.get(f"{URL}departements/37/").status_code == 200
    assert client.get(f"{URL}departements/41/").status_code == 404
    assert client.get(f"{URL}regions/75/").status_code == 404
    assert client.get(f"{URL}departements/XX/").status_code == 404


def test_the_territory_pages_are_closed_to_others(client, dataset):
    assert client.get(f"{URL}departements/37/").status_code == 302
