"""Physical TOTP cards: the stock loaded from a CSV file, the association with an aidant by
serial number and a current code, the loss, and the login with the card's code."""

import base64
import time
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django_otp.oath import TOTP

from mandats import card_seeds, cards, otp
from mandats.models import CarteTOTP, CarteTOTPDevice, CarteTOTPStatus, JournalAction, JournalEntry
from tests.factories import MembershipFactory
from tests.mandats.factories import TOTPDeviceFactory

SEED = base64.b32encode(b"carte-de-test-0001").decode()  # 18 bytes, 144 bits
OTHER_SEED = base64.b32encode(b"carte-de-test-0002").decode()


def card_code(seed: str, at: float) -> str:
    totp = TOTP(base64.b32decode(seed))
    totp.time = at
    return f"{totp.token():06d}"


@pytest.fixture
def frozen_clock():
    """The middle of the current 30-second step: a test never straddles a step boundary."""
    now = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("time.time", return_value=now):
        yield now


@pytest.fixture
def stock(anct):
    return cards.cartes_load_csv(
        content=f"numero_serie;graine\nAC-0001;{SEED}\nAC-0002;{OTHER_SEED}\n", by=anct
    )


def associate(referent, aidant, organisation, code, serial="AC-0001"):
    return cards.carte_associate(
        serial_number=serial,
        code=code,
        aidant=aidant,
        organisation=organisation.structure,
        by=referent,
    )


def test_the_anct_loads_a_stock_with_seeds_encrypted_at_rest(stock):
    assert [c.serial_number for c in CarteTOTP.objects.in_stock()] == ["AC-0001", "AC-0002"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT encrypted_seed FROM {CarteTOTP._meta.db_table}")  # noqa: S608
        stored = [row[0] for row in cursor.fetchall()]
    assert all(SEED not in value and "carte-de-test" not in value for value in stored)
    assert card_seeds.decrypt(stock[0].encrypted_seed) == b"carte-de-test-0001"


def test_a_csv_with_errors_loads_nothing_and_names_every_line(anct):
    content = (
        "numero_serie,graine\n"
        f"AC-0001,{SEED}\n"
        "AC-0002,pas-du-base32!\n"
        f"AC-0001,{OTHER_SEED}\n"
        f",{SEED}\n"
        "AC-0005,MZXW6\n"
    )
    with pytest.raises(ValidationError) as refused:
        cards.cartes_load_csv(content=content, by=anct)

    assert refused.value.messages == [
        "Ligne 3 : graine qui n'est pas en base32.",
        "Ligne 4 : numéro de série AC-0001 déjà présent ligne 2.",
        "Ligne 5 : numéro de série manquant ou invalide (3 à 64 lettres, chiffres ou tirets).",
        "Ligne 6 : graine trop courte (80 bits au moins).",
    ]
    assert CarteTOTP.objects.count() == 0


def test_serial_numbers_are_stored_in_upper_case_so_case_never_makes_two_cards(anct, stock):
    with pytest.raises(ValidationError, match="Ligne 2 : la carte AC-0001 est déjà dans le stock"):
        cards.cartes_load_csv(content=f"numero_serie;graine\nac-0001;{SEED}", by=anct)


def test_a_card_already_in_stock_is_refused_with_its_line(anct, stock):
    with pytest.raises(ValidationError, match="Ligne 2 : la carte AC-0002 est déjà dans le stock"):
        cards.cartes_load_csv(content=f"serial,seed\nAC-0002,{SEED}\nAC-0009,{SEED}", by=anct)
    assert CarteTOTP.objects.count() == 2


@pytest.mark.parametrize("content", ["", "numero;autre\nA,B", "numero_serie;graine\n"])
def test_a_file_without_cards_or_columns_is_refused(anct, content):
    with pytest.raises(ValidationError):
        cards.cartes_load_csv(content=content, by=anct)


@pytest.mark.parametrize("persona", ["referent", "aidant", "gestionnaire"])
def test_only_the_anct_loads_cards(db, request, persona):
    with pytest.raises(PermissionDenied):
        cards.cartes_load_csv(
            content=f"numero_serie;graine\nAC-0001;{SEED}", by=request.getfixturevalue(persona)
        )


def test_production_refuses_to_load_cards_without_the_key(settings, anct):
    settings.DEMO, settings.AIDANTS_CONNECT_CARD_SEED_KEY = False, ""
    with pytest.raises(ImproperlyConfigured, match="AIDANTS_CONNECT_CARD_SEED_KEY est vide"):
        cards.cartes_load_csv(content=f"numero_serie;graine\nAC-0001;{SEED}", by=anct)


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_the_referent_associates_a_card_within_one_step_of_drift(
    stock, referent, aidant, organisation, frozen_clock, steps, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        carte = associate(
            referent, aidant, organisation, card_code(SEED, frozen_clock + 30 * steps)
        )

    assert carte.status == CarteTOTPStatus.ASSOCIATED
    assert (carte.aidant, carte.organisation_id) == (aidant, organisation.pk)
    assert otp.confirmed_device(aidant) == carte.device
    entry = JournalEntry.objects.get(action=JournalAction.CARTE_ASSOCIATED)
    assert entry.details == {"serial_number": "AC-0001", "aidant_id": aidant.pk}


@pytest.mark.parametrize("steps", [-2, 2])
def test_a_code_two_steps_off_does_not_associate(
    stock, referent, aidant, organisation, frozen_clock, steps
):
    with pytest.raises(ValidationError, match="ne correspond pas"):
        associate(referent, aidant, organisation, card_code(SEED, frozen_clock + 30 * steps))
    assert CarteTOTP.objects.get(serial_number="AC-0001").status == CarteTOTPStatus.STOCK


def test_the_code_of_another_card_does_not_associate(
    stock, referent, aidant, organisation, frozen_clock
):
    with pytest.raises(ValidationError, match="ne correspond pas"):
        associate(referent, aidant, organisation, card_code(OTHER_SEED, frozen_clock))


def test_attack_a_referent_cannot_give_a_card_to_an_aidant_of_another_organisation(
    stock, referent, organisation, outsider_aidant, other_organisation, frozen_clock
):
    code = card_code(SEED, frozen_clock)
    with pytest.raises(ValidationError, match="pas un aidant actif"):
        associate(referent, outsider_aidant, organisation, code)
    with pytest.raises(PermissionDenied):
        associate(referent, outsider_aidant, other_organisation, code)
    assert not CarteTOTPDevice.objects.exists()


@pytest.mark.parametrize("persona", ["aidant", "anct", "outsider_aidant", "gestionnaire"])
def test_only_the_referent_associates(request, stock, persona, aidant, organisation, frozen_clock):
    with pytest.raises(PermissionDenied):
        associate(
            request.getfixturevalue(persona), aidant, organisation, card_code(SEED, frozen_clock)
        )


def test_a_card_is_associated_once_and_an_aidant_holds_one(
    stock, referent, aidant, organisation, frozen_clock
):
    associate(referent, aidant, organisation, card_code(SEED, frozen_clock))
    other = MembershipFactory(structure=organisation.structure, role="aidant").user

    with pytest.raises(ValidationError, match="Aucune carte en stock"):
        associate(referent, other, organisation, card_code(SEED, frozen_clock + 30))
    with pytest.raises(ValidationError, match="déjà une carte"):
        associate(referent, aidant, organisation, card_code(OTHER_SEED, frozen_clock), "AC-0002")


def test_the_aidant_logs_in_with_the_card_and_a_lost_card_is_refused(
    client, stock, referent, aidant, organisation, frozen_clock
):
    TOTPDeviceFactory(user=aidant)  # an app too: the card takes over while associated
    carte = associate(referent, aidant, organisation, card_code(SEED, frozen_clock))
    client.force_login(aidant)
    verify = reverse("mandats:totp-verify")

    # The step used at the association is spent; the next one logs in, one step of drift too.
    with mock.patch("time.time", return_value=frozen_clock + 60):
        response = client.post(verify, {"code": card_code(SEED, frozen_clock + 90)})
    assert response.status_code == 302
    assert JournalEntry.objects.filter(action=JournalAction.AIDANT_LOGIN).count() == 1

    cards.carte_declare_lost(carte=carte, by=referent)
    client.logout()
    client.force_login(aidant)
    with mock.patch("time.time", return_value=frozen_clock + 150):
        response = client.post(verify, {"code": card_code(SEED, frozen_clock + 150)})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert JournalEntry.objects.filter(action=JournalAction.CARTE_LOST).count() == 1
    assert otp.confirmed_device(aidant).__class__.__name__ == "TOTPDevice"


def test_a_card_code_two_steps_off_is_refused_at_login(
    client, stock, referent, aidant, organisation, frozen_clock
):
    associate(referent, aidant, organisation, card_code(SEED, frozen_clock))
    client.force_login(aidant)

    with mock.patch("time.time", return_value=frozen_clock + 300):
        response = client.post(
            reverse("mandats:totp-verify"), {"code": card_code(SEED, frozen_clock + 360)}
        )
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()


@pytest.mark.parametrize("state", [CarteTOTPStatus.STOCK, CarteTOTPStatus.ASSOCIATED])
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("referent", True), ("anct", True), ("aidant", False), ("outsider_aidant", False)],
)
def test_declaring_a_card_lost_by_role_and_state(
    request, stock, referent, aidant, organisation, frozen_clock, state, persona, allowed
):
    carte = stock[0]
    if state == CarteTOTPStatus.ASSOCIATED:
        carte = associate(referent, aidant, organisation, card_code(SEED, frozen_clock))
    by = request.getfixturevalue(persona)
    # A card in stock is the ANCT's alone.
    allowed = allowed and (state == CarteTOTPStatus.ASSOCIATED or persona == "anct")

    if not allowed:
        with pytest.raises(PermissionDenied):
            cards.carte_declare_lost(carte=carte, by=by)
        return
    lost = cards.carte_declare_lost(carte=carte, by=by)
    assert lost.status == CarteTOTPStatus.LOST
    with pytest.raises(ValidationError, match="déjà déclarée perdue"):
        cards.carte_declare_lost(carte=lost, by=by)
