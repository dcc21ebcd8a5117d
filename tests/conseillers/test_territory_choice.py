"""The candidate chooses départements as checkboxes grouped by région, usable on a phone."""

import re

import pytest

from conseillers.models import Candidat
from core.models import Departement, Region
from tests.conseillers.test_candidat_pages import REGISTRATION

pytestmark = pytest.mark.django_db

URL = "/conseillers/candidats/inscription/"


def regions(page: str) -> dict[str, list[str]]:
    """Each région's fold: the départements (values of its checkboxes), in order."""
    folds = re.findall(
        r'<details class="[^"]*territory-choice__region" data-region="(\w+)"[^>]*>(.*?)</details>',
        page,
        re.S,
    )
    return {
        code: re.findall(r'type="checkbox" name="departements" value="(\w+)"', body)
        for code, body in folds
    }


def test_every_departement_is_a_checkbox_in_the_fold_of_its_region(client):
    page = client.get(URL).content.decode()
    folds = regions(page)
    assert "<select" not in page.split('id="id_departements"', 1)[1].split("</fieldset>", 1)[0]
    assert len(folds) == Region.objects.count()
    for code, departements in folds.items():
        expected = Departement.objects.filter(region_id=code).order_by("code")
        assert departements == list(expected.values_list("code", flat=True))
    assert sum(len(codes) for codes in folds.values()) == Departement.objects.count()
    assert '<label class="fr-label" for="id_departements_' in page
    assert ">Indre-et-Loire (37)</label>" in page
    assert "Ctrl" not in page


def test_the_candidate_saves_the_departements_ticked_in_several_regions(client):
    data = {**REGISTRATION, "email": "lea@exemple.fr", "departements": ["37", "33", "971"]}
    response = client.post(URL, data)
    assert response.status_code == 200, response.content.decode()
    candidat = Candidat.objects.get(email="lea@exemple.fr")
    assert set(candidat.departements.values_list("code", flat=True)) == {"37", "33", "971"}


def test_after_an_error_the_ticked_regions_stay_open_and_ticked(client):
    data = {**REGISTRATION, "pix_level": "7", "departements": ["37", "41", "33"]}
    page = client.post(URL, data).content.decode()
    assert re.search(
        r'data-region="24" open>\s*<summary>Centre-Val de Loire <span[^>]*>\(2 choisis\)', page
    )
    assert re.search(
        r'data-region="75" open>\s*<summary>Nouvelle-Aquitaine <span[^>]*>\(1 choisi\)', page
    )
    assert re.search(r'data-region="84">', page)
    assert re.search(r'value="37" id="[^"]+" checked>', page)
    assert not re.search(r'value="45" id="[^"]+" checked>', page)


def test_choosing_no_departement_is_refused_next_to_the_control(client):
    data = {k: v for k, v in REGISTRATION.items() if k != "departements"}
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        r'id="id_departements-messages"[^>]*>\s*'
        r'<p class="fr-message fr-message--error">Ce champ est obligatoire',
        page,
    )
    assert not Candidat.objects.exists()


def test_an_unknown_departement_is_refused(client):
    response = client.post(URL, {**REGISTRATION, "departements": ["37", "XX"]})
    assert response.status_code == 400
    assert not Candidat.objects.exists()
