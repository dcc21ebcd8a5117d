"""The settings of Aidants Connect change what they say: the mandate text version recorded on a
new mandate (refused when no legal text exists for it) and the key of the usagers' hashes."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from mandats import services
from mandats.models import JournalEntry, Mandat, Usager
from mandats.seal import check_legal_text_version


def sign(organisation, usager, aidant) -> Mandat:
    return services.mandat_create(
        organisation=organisation.structure,
        usager=usager,
        demarches=["social"],
        duration="jour",
        by=aidant,
    )


@pytest.fixture
def legal_text_2026(settings, tmp_path):
    """A second wording of the mandate, as a deployment would add it next to 2025-01."""
    folder = tmp_path / "mandats" / "attestation" / "legal_text"
    folder.mkdir(parents=True)
    (folder / "2026-06.html").write_text("<h3>Mandat</h3><p>Texte de juin 2026.</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    return "2026-06"


def test_the_default_version_is_the_current_legal_text(organisation, usager, aidant):
    assert sign(organisation, usager, aidant).legal_text_version == "2025-01"


def test_the_setting_changes_the_version_recorded_on_a_new_mandate(
    settings, legal_text_2026, organisation, usager, aidant
):
    settings.AIDANTS_CONNECT_MANDAT_TEXT_VERSION = legal_text_2026

    mandat = sign(organisation, usager, aidant)

    assert mandat.legal_text_version == "2026-06"
    assert JournalEntry.objects.get(mandat_id=mandat.pk, action="mandat_created").details[
        "legal_text_version"
    ] == ("2026-06")
    assert check_legal_text_version() == []


@pytest.mark.parametrize("version", ["2099-01", "../../base", ""])
def test_a_version_without_its_legal_text_signs_nothing(
    settings, organisation, usager, aidant, version
):
    settings.AIDANTS_CONNECT_MANDAT_TEXT_VERSION = version

    with pytest.raises(ImproperlyConfigured, match="aucun texte de mandat"):
        sign(organisation, usager, aidant)

    assert not Mandat.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_version_without_its_legal_text_stops_the_startup_checks(settings):
    settings.AIDANTS_CONNECT_MANDAT_TEXT_VERSION = "2099-01"

    errors = check_legal_text_version()

    assert [error.id for error in errors] == ["mandats.E001"]
    assert "AIDANTS_CONNECT_MANDAT_TEXT_VERSION='2099-01'" in errors[0].msg


def test_the_hash_key_setting_changes_the_usagers_hashes(settings):
    settings.AIDANTS_CONNECT_HASH_KEY = "une-premiere-cle"
    first = Usager.hash_sub("sub-de-dupont")
    settings.AIDANTS_CONNECT_HASH_KEY = "une-seconde-cle"

    assert Usager.hash_sub("sub-de-dupont") != first
    assert len(first) == 64
