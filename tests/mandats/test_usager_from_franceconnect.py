"""The usager's identity from FranceConnect's claims, the `sub` kept only as a keyed hash."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from mandats import services
from mandats.models import JournalAction, JournalEntry, Usager

# The integration environment's demo identities (DOMAIN.md).
TESTFC1 = {
    "given_name": "Stéphane Louis Perceval",
    "family_name": "DUPONT",
    "birthdate": "1962-08-24",
    "gender": "male",
    "birthplace": "75112",
    "birthcountry": "99100",
    "email": "Stephane.Dupont@Exemple.fr",
}
BORN_ABROAD_WITHOUT_FAMILY_NAME = {
    "given_name": "Mélaine Évelyne",
    "family_name": "",
    "birthdate": "1981-07-27",
    "gender": "female",
    "birthplace": "",
    "birthcountry": "99134",
}


def test_creates_the_usager_and_stores_only_a_hash_of_the_sub(db):
    usager = services.usager_from_franceconnect(claims=TESTFC1, sub="sub-testfc1")

    assert (usager.given_names, usager.family_name) == ("Stéphane Louis Perceval", "DUPONT")
    assert usager.birthdate == datetime.date(1962, 8, 24)
    assert usager.email == "stephane.dupont@exemple.fr"
    assert usager.sub_hash == Usager.hash_sub("sub-testfc1")
    assert "sub-testfc1" not in str(Usager.objects.values().get())


def test_the_same_sub_finds_the_same_usager_and_refreshes_it(db):
    first = services.usager_from_franceconnect(claims=TESTFC1, sub="sub-testfc1")

    again = services.usager_from_franceconnect(
        claims={**TESTFC1, "email": "nouvelle@exemple.fr"}, sub="sub-testfc1"
    )

    assert again.pk == first.pk
    assert again.email == "nouvelle@exemple.fr"
    assert again.last_seen_at >= first.last_seen_at
    assert Usager.objects.get(sub_hash=Usager.hash_sub("sub-testfc1")).pk == first.pk


def test_accepts_an_usager_born_abroad_without_family_name(db):
    usager = services.usager_from_franceconnect(
        claims=BORN_ABROAD_WITHOUT_FAMILY_NAME, sub="sub-3-melaine"
    )

    assert (usager.family_name, usager.birthplace) == ("", "")
    assert usager.full_name == "Mélaine Évelyne"


def test_the_hash_depends_on_the_key(settings):
    before = Usager.hash_sub("sub-testfc1")
    settings.AIDANTS_CONNECT_HASH_KEY = "une-autre-clé-dédiée-aux-empreintes"

    assert Usager.hash_sub("sub-testfc1") != before
    assert len(before) == 64


def test_journals_the_login_in_front_of_an_aidant(aidant, organisation):
    usager = services.usager_from_franceconnect(
        claims=TESTFC1, sub="sub-testfc1", by=aidant, organisation=organisation.structure
    )

    entry = JournalEntry.objects.get()
    assert entry.action == JournalAction.USAGER_FRANCECONNECT
    assert (entry.usager_id, entry.usager_ref) == (usager.pk, usager.journal_ref)
    assert "DUPONT" not in str(entry.details)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({**TESTFC1, "given_name": ""}, "prénom"),
        ({**TESTFC1, "birthdate": "24/08/1962"}, "date de naissance"),
        ({**TESTFC1, "gender": "x"}, "sexe"),
        ({**TESTFC1, "birthplace": "751"}, "lieu de naissance"),
    ],
)
def test_refuses_invalid_claims(db, claims, message):
    with pytest.raises(ValidationError, match=message):
        services.usager_from_franceconnect(claims=claims, sub="sub-testfc1")
    assert not Usager.objects.exists()


def test_refuses_a_missing_sub(db):
    with pytest.raises(ValidationError, match="identifiant"):
        services.usager_from_franceconnect(claims=TESTFC1, sub="")
