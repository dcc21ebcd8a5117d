"""The cards' pages: the ANCT's stock and loading, the référent's association and loss."""

import base64
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp.oath import TOTP

from mandats import cards
from mandats.models import CarteTOTP, CarteTOTPStatus
from tests.mandats.factories import reload

SEED = base64.b32encode(b"carte-de-test-0001").decode()
STOCK = reverse("mandats:cartes-stock")


def card_code(at: float) -> str:
    totp = TOTP(base64.b32decode(SEED))
    totp.time = at
    return f"{totp.token():06d}"


def upload(text: str) -> dict:
    return {"csv_file": SimpleUploadedFile("cartes.csv", text.encode(), "text/csv")}


@pytest.fixture
def frozen_clock():
    now = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("time.time", return_value=now):
        yield now


@pytest.fixture
def card(anct):
    (carte,) = cards.cartes_load_csv(content=f"numero_serie;graine\nAC-0001;{SEED}", by=anct)
    return carte


def test_the_anct_loads_a_batch_from_the_page(client, anct):
    client.force_login(anct)

    response = client.post(STOCK, upload(f"numero_serie;graine\nAC-0001;{SEED}\n"))

    assert response.status_code == 302
    page = client.get(STOCK).content.decode()
    assert "AC-0001" in page and "En stock : 1" in page


def test_a_refused_batch_shows_each_line_and_loads_nothing(client, anct):
    client.force_login(anct)

    response = client.post(STOCK, upload(f"numero_serie;graine\nAC-0001;{SEED}\nAC-0002;???\n"))

    assert response.status_code == 400
    assert "Ligne 3 : graine qui n&#x27;est pas en base32." in response.content.decode()
    assert not CarteTOTP.objects.exists()


@pytest.mark.parametrize("persona", ["referent", "aidant", "gestionnaire"])
def test_the_stock_is_for_the_anct(db, verified_client, request, persona):
    client = verified_client(request.getfixturevalue(persona))
    assert client.get(STOCK).status_code == 403


def test_the_referent_associates_a_card_from_the_team_page(
    verified_client, card, referent, aidant, organisation, frozen_clock
):
    client = verified_client(referent)
    team = reverse("mandats:referent-team", args=[organisation.pk])
    url = reverse("mandats:referent-carte-associate", args=[organisation.pk, aidant.pk])
    assert url in client.get(team).content.decode()

    wrong = client.post(url, {"serial_number": "AC-0001", "code": card_code(frozen_clock + 90)})
    assert wrong.status_code == 400 and "ne correspond pas" in wrong.content.decode()
    response = client.post(url, {"serial_number": "ac-0001", "code": card_code(frozen_clock)})

    assert response.status_code == 302
    card = reload(card)
    assert card.status == CarteTOTPStatus.ASSOCIATED and card.aidant == aidant
    page = client.get(team).content.decode()
    assert "AC-0001" in page and reverse("mandats:carte-lost", args=[card.pk]) in page


def test_the_referent_declares_the_card_lost(
    verified_client, card, referent, aidant, organisation, frozen_clock
):
    cards.carte_associate(
        serial_number="AC-0001",
        code=card_code(frozen_clock),
        aidant=aidant,
        organisation=organisation.structure,
        by=referent,
    )
    url = reverse("mandats:carte-lost", args=[card.pk])
    client = verified_client(referent)

    assert "immédiatement" in client.get(url).content.decode()
    response = client.post(url)

    assert response.url == reverse("mandats:referent-team", args=[organisation.pk])
    card = reload(card)
    assert card.status == CarteTOTPStatus.LOST


def test_attack_another_referent_cannot_declare_a_card_lost(
    verified_client, card, referent, aidant, organisation, other_organisation, frozen_clock
):
    from tests.factories import MembershipFactory

    cards.carte_associate(
        serial_number="AC-0001",
        code=card_code(frozen_clock),
        aidant=aidant,
        organisation=organisation.structure,
        by=referent,
    )
    stranger = MembershipFactory(structure=other_organisation.structure, role="referent").user

    response = verified_client(stranger).post(reverse("mandats:carte-lost", args=[card.pk]))

    assert response.status_code == 403
    card = reload(card)
    assert card.status == CarteTOTPStatus.ASSOCIATED
