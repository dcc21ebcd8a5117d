"""Long lists: search, région and département filters, states and pagination that keeps them."""

import re

import pytest

from conseillers.models import CandidatureState, MatchState
from tests.conseillers.factories import (
    CandidatFactory,
    CandidatureFactory,
    EnvelopeFactory,
    MatchFactory,
)
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


def linked_names(page: str, prefix: str) -> list[str]:
    return re.findall(rf'<a href="{prefix}\d+/">([^<]+)</a>', page)


@pytest.fixture
def structures(db):
    """Tours and Blois in Centre-Val de Loire, Bordeaux in Nouvelle-Aquitaine."""
    return {
        "tours": StructureFactory(name="Ville de Tours", departement_id="37"),
        "blois": StructureFactory(name="Médiathèque de Blois", departement_id="41"),
        "bordeaux": StructureFactory(name="Ville de Bordeaux", departement_id="33"),
    }


def test_structures_by_search_region_and_departement(anct_client, structures):
    def names(**params: str) -> set[str]:
        page = anct_client.get("/structures/", params).content.decode()
        return set(linked_names(page, "/structures/"))

    assert names() == {"Ville de Tours", "Médiathèque de Blois", "Ville de Bordeaux"}
    assert names(q="ville") == {"Ville de Tours", "Ville de Bordeaux"}
    assert names(q=structures["blois"].siret) == {"Médiathèque de Blois"}
    assert names(region="24") == {"Ville de Tours", "Médiathèque de Blois"}
    assert names(region="24", q="ville") == {"Ville de Tours"}
    assert names(departement="33") == {"Ville de Bordeaux"}
    # A value that is not a choice is ignored: a hand-edited link still lists everything.
    assert len(names(region="XX", departement="ZZ")) == 3


def test_an_empty_result_says_so_and_offers_to_clear(anct_client, structures):
    page = anct_client.get("/structures/", {"q": "introuvable"}).content.decode()
    assert "Aucune structure ne répond à ces critères." in page
    assert 'href="?">Effacer les filtres</a>' in page
    assert re.search(r'<option value="24"\s*>Centre-Val de Loire</option>', page)


def test_the_pagination_keeps_the_filters(anct_client):
    for index in range(30):
        StructureFactory(name=f"Espace {index:02d}", departement_id="41")
    StructureFactory(name="Espace de Bordeaux", departement_id="33")
    first = anct_client.get("/structures/", {"region": "24", "q": "espace"}).content.decode()
    assert len(linked_names(first, "/structures/")) == 25
    assert "1 / 2" in first
    assert 'href="?region=24&amp;q=espace&amp;page=2"' in first
    second = anct_client.get("/structures/", {"region": "24", "q": "espace", "page": "2"})
    names = linked_names(second.content.decode(), "/structures/")
    assert len(names) == 5
    assert "Espace de Bordeaux" not in names
    assert re.search(r'<option value="24"\s+selected>', second.content.decode())


def test_applications_by_state_and_departement(anct_client, structures):
    CandidatureFactory(structure=structures["tours"])
    CandidatureFactory(structure=structures["blois"], state=CandidatureState.VALIDATED)
    CandidatureFactory(structure=structures["bordeaux"], state=CandidatureState.VALIDATED)

    def structures_listed(**params: str) -> list[str]:
        page = anct_client.get("/conseillers/candidatures/", params).content.decode()
        return sorted(re.findall(r"<td>((?:Ville|Médiathèque)[^<]*)</td>", page))

    assert len(structures_listed()) == 3
    validated = structures_listed(etat=CandidatureState.VALIDATED)
    assert validated == ["Médiathèque de Blois", "Ville de Bordeaux"]
    assert structures_listed(etat=CandidatureState.VALIDATED, region="24") == [
        "Médiathèque de Blois"
    ]
    assert structures_listed(q="tours") == ["Ville de Tours"]


def test_matches_by_candidate_name_state_and_region(anct_client, structures):
    MatchFactory(structure=structures["tours"], candidat=CandidatFactory(last_name="Lambert"))
    MatchFactory(
        structure=structures["bordeaux"],
        candidat=CandidatFactory(last_name="Durand"),
        state=MatchState.INTERESTED,
    )

    def listed(**params: str) -> list[str]:
        page = anct_client.get("/conseillers/mises-en-relation/", params).content.decode()
        return linked_names(page, "/conseillers/mises-en-relation/")

    assert len(listed()) == 2
    assert [name.split()[-1] for name in listed(q="durand")] == ["Durand"]
    assert [name.split()[-1] for name in listed(region="75")] == ["Durand"]
    assert [name.split()[-1] for name in listed(q="tours")] == ["Lambert"]


def test_envelopes_by_search_region_and_state(anct_client):
    EnvelopeFactory(departement_id="37", posts=20)
    EnvelopeFactory(departement_id="41", posts=0)

    def rows(**params: str) -> list[str]:
        page = anct_client.get("/conseillers/enveloppes/", params).content.decode()
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
        return re.findall(
            r"<tr><td><a href=\"/conseillers/tableau-de-bord/departements/\w+/\">([^<]+)</a></td>",
            body,
        )

    assert len(rows()) == 25  # a page of the 107
    assert rows(region="24") == [
        "18 – Cher",
        "28 – Eure-et-Loir",
        "36 – Indre",
        "37 – Indre-et-Loire",
        "41 – Loir-et-Cher",
        "45 – Loiret",
    ]
    assert rows(q="loire-atl") == ["44 – Loire-Atlantique"]
    assert {"28 – Eure-et-Loir", "42 – Loire", "45 – Loiret"} <= set(rows(q="LOIR"))
    assert rows(q="971") == ["971 – Guadeloupe"]
    assert rows(etat="fixee") == ["37 – Indre-et-Loire", "41 – Loir-et-Cher"]
    assert rows(etat="epuisee") == ["41 – Loir-et-Cher"]
    assert "37 – Indre-et-Loire" not in rows(etat="non_fixee", region="24")
    page = anct_client.get("/conseillers/enveloppes/", {"q": "nulle part"}).content.decode()
    assert "Aucun département ne répond à ces critères." in page


def test_the_proposal_reads_region_by_region_with_only_the_changes_ticked(anct_client):
    EnvelopeFactory(departement_id="37", posts=35)
    response = anct_client.post(
        "/conseillers/enveloppes/proposition/",
        {"total": "4000", "method": "hamilton", "floor": "1"},
    )
    page = response.content.decode()
    comparison = response.context["comparison"]
    folds = re.findall(r"<details class=\"fr-mb-1w proposal-region\">", page)
    assert len(folds) == 18 + 6  # the régions, and the overseas collectivities as their own
    summary = re.search(r"<strong>Centre-Val de Loire</strong> — ([^<]+)</summary>", page)
    centre = [row for row in comparison.rows if row.key in {"18", "28", "36", "37", "41", "45"}]
    changed = [row for row in centre if row.difference]
    total = sum(row.difference for row in centre)
    assert summary[1] == (
        f"{len(changed)} départements sur 6 changent, {'+' if total > 0 else ''}{total} postes"
    )
    for row in comparison.rows:
        ticked = re.search(rf'value="{row.key}" checked>', page) is not None
        assert ticked == (row.difference != 0), row.key
    assert "Écart à la répartition proportionnelle" in page
    assert re.search(r"proposition \d+,\d\d %, enveloppes en vigueur 99,\d\d %", page)
