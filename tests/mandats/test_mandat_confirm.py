"""Wizard step 3: the recap of the identified usager and the choice, confirmed with a fresh TOTP
code; the mandate is signed in one go and the wizard forgotten."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandats.models import JournalAction, JournalEntry, Mandat
from mandats.views.wizard_state import WIZARD_SESSION_KEY

URL = reverse("mandats:mandat-new-confirm")
STEP_1 = reverse("mandats:mandat-new")


@pytest.fixture
def wizard(verified_client, aidant, organisation, usager):
    """The aidant's browser after step 2: the usager has just logged in with FranceConnect."""
    client = verified_client(aidant)

    def set_wizard(**changes):
        session = client.session
        session[WIZARD_SESSION_KEY] = {
            "organisation_id": organisation.pk,
            "demarches": ["argent", "social"],
            "duration": "semestre",
            "usager_id": usager.pk,
            "identified_at": timezone.now().timestamp(),
            **changes,
        }
        session.save()
        return client

    return set_wizard


def code_of(user) -> str:
    return f"{totp(TOTPDevice.objects.get(user=user).bin_key):06d}"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_recap_shows_the_usager_the_demarches_the_duration_and_the_end(wizard):
    response = wizard().get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Stéphane Louis Perceval" in page and "DUPONT" in page and "24 août 1962" in page
    assert "Argent - Impôts - Consommation" in page and "Social - Santé" in page
    ends_on = timezone.localdate() + timezone.timedelta(days=182)
    assert "6 mois" in page and ends_on.strftime("%d/%m/%Y") in page
    assert 'autocomplete="one-time-code"' in page


def test_a_fresh_code_signs_the_mandate_and_forgets_the_wizard(wizard, aidant, organisation):
    client = wizard()

    response = client.post(URL, {"code": code_of(aidant)})

    mandat = Mandat.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mandats:attestation", args=[mandat.pk])
    assert mandat.organisation == organisation.structure and mandat.is_active()
    assert sorted(mandat.autorisations.values_list("demarche", flat=True)) == ["argent", "social"]
    assert mandat.duration == "semestre"
    assert WIZARD_SESSION_KEY not in client.session
    actions = list(JournalEntry.objects.values_list("action", flat=True))
    assert actions == [JournalAction.MANDAT_CREATED] + [JournalAction.AUTORISATION_CREATED] * 2
    assert "est signé" in messages_of(response)[0]


def test_a_wrong_code_signs_nothing(wizard):
    client = wizard()

    response = client.post(URL, {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Mandat.objects.exists()
    assert client.session[WIZARD_SESSION_KEY]["usager_id"]


def test_the_same_page_posted_twice_signs_one_mandate(wizard, aidant):
    client = wizard()
    code = code_of(aidant)

    client.post(URL, {"code": code})
    again = client.post(URL, {"code": code})

    assert again.url == STEP_1
    assert Mandat.objects.count() == 1


def test_without_the_usager_identified_the_wizard_restarts(wizard):
    client = wizard(usager_id=None)

    response = client.get(URL)

    assert response.url == STEP_1
    assert "n'est pas vérifiée" in messages_of(response)[0]


def test_an_identity_older_than_fifteen_minutes_is_asked_again(wizard):
    long_ago = timezone.now() - timezone.timedelta(minutes=16)
    client = wizard(identified_at=long_ago.timestamp())

    response = client.get(URL)

    assert response.url == STEP_1
    assert "plus de 15 minutes" in messages_of(response)[0]
    # The choice stays for step 1; only the identity is forgotten.
    assert client.session[WIZARD_SESSION_KEY] == {
        "organisation_id": client.session[WIZARD_SESSION_KEY]["organisation_id"],
        "demarches": ["argent", "social"],
        "duration": "semestre",
    }


def test_a_usager_purged_meanwhile_restarts_the_wizard(wizard):
    response = wizard(usager_id=987654).get(URL)

    assert response.url == STEP_1


@pytest.mark.parametrize(
    "changes",
    [
        {"organisation_id": 0},
        {"demarches": []},
        {"demarches": ["inconnue"]},
        {"duration": "siecle"},
    ],
    ids=["autre-organisation", "sans-demarche", "demarche-inconnue", "duree-inconnue"],
)
def test_a_stale_or_broken_choice_restarts_the_wizard(wizard, changes):
    response = wizard(**changes).get(URL)

    assert response.url == STEP_1
    assert "Choisissez d'abord" in messages_of(response)[0]


def test_a_demarche_closed_by_the_referent_meanwhile_restarts_the_wizard(wizard, organisation):
    client = wizard()
    organisation.allowed_demarches = ["argent"]
    organisation.save()

    response = client.post(URL, {"code": "123456"})

    assert response.url == STEP_1
    assert not Mandat.objects.exists()


def test_only_aidants_reach_the_recap(verified_client, referent):
    assert verified_client(referent).get(URL).status_code == 403
