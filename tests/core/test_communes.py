import gzip
import io

import pytest
from django.core.management import call_command

from core.communes import load_communes
from core.models import Commune, CommuneOldCode

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _file(tmp_path, rows: list[str]):
    path = tmp_path / "communes.csv.gz"
    header = "code,nom,departement,codes_postaux,population,lat,lon,actuelle\n"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(header + "".join(f"{row}\n" for row in rows))
    return path


def test_loading_twice_changes_nothing_and_a_newer_file_updates_in_place(tmp_path):
    call_command("load_communes", "--departement", "37", stdout=io.StringIO())
    tours = Commune.objects.get(code="37261")
    assert (tours.name, tours.departement_id) == ("Tours", "37")
    assert tours.postal_codes == "37000 37100 37200"
    assert tours.latitude == pytest.approx(47.39, abs=0.05)
    assert tours.longitude == pytest.approx(0.69, abs=0.05)
    count = Commune.objects.count()
    assert count == 272

    call_command("load_communes", "--departement", "37", stdout=io.StringIO())
    assert Commune.objects.count() == count

    newer = _file(tmp_path, ["37261,Tours,37,37000,140000,47.4,0.7,"])
    assert load_communes(path=newer) == (1, 0)
    tours.refresh_from_db()
    assert (tours.population, tours.postal_codes, tours.latitude) == (140000, "37000", 47.4)
    assert Commune.objects.count() == count


def test_the_code_of_a_merged_commune_resolves_to_the_current_one(tmp_path):
    # Béon (01039) merged into Culoz, now Culoz-Béon (01138).
    load_communes(departements=["01"])
    assert CommuneOldCode.objects.get(code="01039").commune_id == "01138"
    assert Commune.objects.resolve("01039").name == "Culoz-Béon"
    assert Commune.objects.resolve("01138").code == "01138"
    assert Commune.objects.resolve("99999") is None
    # Loading again keeps the resolution, and an old code whose commune was not loaded is skipped.
    orphan = _file(tmp_path, ["01888,Disparue,01,,,,,75056"])
    assert load_communes(path=orphan, departements=["01"]) == (0, 0)
    assert Commune.objects.resolve("01039").code == "01138"


def test_communes_outside_the_programme_and_without_position_are_kept_honest(tmp_path):
    path = _file(
        tmp_path,
        [
            "98411,Îles Saint-Paul et Nouvelle-Amsterdam,984,,,,,",
            "97502,Saint-Pierre,975,97500,5194,,,",
        ],
    )
    assert load_communes(path=path) == (1, 0)
    saint_pierre = Commune.objects.get(code="97502")
    assert saint_pierre.latitude is None and saint_pierre.longitude is None
    assert not Commune.objects.filter(code="98411").exists()


def test_search_ignores_accents_case_hyphens_and_saint_abbreviations():
    load_communes(departements=["42", "75", "85"])
    assert Commune.objects.search("st etienne").first().code == "42218"
    assert Commune.objects.search("SAINT-ÉTIENNE").first().code == "42218"
    assert Commune.objects.search("ile d'yeu").first().name == "L'Île-d'Yeu"
    assert list(Commune.objects.search("75011")) == [Commune.objects.get(code="75056")]
    assert Commune.objects.search("  ").count() == 0
    assert Commune.objects.search("%").count() == 0
