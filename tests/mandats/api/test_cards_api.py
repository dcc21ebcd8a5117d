"""The TOTP cards through the API: the ANCT loads and lists, the référent associates and
declares a loss, with the same abilities and services as the pages."""

import base64
import time
from datetime import timedelta
from unittest import mock

import pytest
from django_otp.oath import TOTP

from core.models import ApiToken
from mandats.models import CarteTOTP, CarteTOTPStatus

SEED = base64.b32encode(b"carte-de-test-0001").decode()
CARTES = "/api/aidants-connect/cartes/"


def token_client(client, user):
    _, raw = ApiToken.objects.create_token(user=user, name="test", ttl=timedelta(hours=1))
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {raw}"
    return client


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def frozen_clock():
    now = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("time.time", return_value=now):
        yield now


def code_at(at: float) -> str:
    totp = TOTP(base64.b32decode(SEED))
    totp.time = at
    return f"{totp.token():06d}"


def test_the_anct_loads_then_lists_the_stock(client, anct):
    client = token_client(client, anct)

    response = post(client, f"{CARTES}charger/", {"csv": f"numero_serie;graine\nA1;{SEED}"})
    assert response.status_code == 400  # A1 is too short a serial number
    assert response.json()["details"]["non_field_errors"][0].startswith("Ligne 2 :")

    response = post(client, f"{CARTES}charger/", {"csv": f"numero_serie;graine\nAC-0001;{SEED}"})
    assert response.status_code == 201 and response.json() == {"loaded": 1}
    (row,) = client.get(CARTES).json()["results"]
    assert row["serial_number"] == "AC-0001" and row["status"] == CarteTOTPStatus.STOCK
    assert "seed" not in str(row) and SEED not in str(row)


@pytest.mark.parametrize("persona", ["referent", "gestionnaire"])
def test_only_the_anct_loads(db, client, request, persona):
    client = token_client(client, request.getfixturevalue(persona))
    response = post(client, f"{CARTES}charger/", {"csv": f"numero_serie;graine\nAC-0001;{SEED}"})
    assert response.status_code == 403
    assert not CarteTOTP.objects.exists()


def test_the_referent_associates_sees_and_declares_lost(
    client, anct, referent, aidant, organisation, frozen_clock
):
    post(token_client(client, anct), f"{CARTES}charger/", {"csv": f"serial;seed\nAC-0001;{SEED}"})
    client = token_client(client, referent)
    url = f"/api/aidants-connect/organisations/{organisation.pk}/aidants/{aidant.pk}/carte/"

    refused = post(client, url, {"serial_number": "AC-0001", "code": code_at(frozen_clock - 60)})
    assert refused.status_code == 400
    response = post(client, url, {"serial_number": "AC-0001", "code": code_at(frozen_clock)})
    assert response.status_code == 200 and response.json()["aidant"] == aidant.pk

    (row,) = client.get(CARTES).json()["results"]
    response = post(client, f"{CARTES}{row['id']}/perdue/")
    assert response.status_code == 200 and response.json()["status"] == CarteTOTPStatus.LOST


def test_a_referent_sees_no_card_of_the_stock(client, anct, referent):
    post(token_client(client, anct), f"{CARTES}charger/", {"csv": f"serial;seed\nAC-0001;{SEED}"})
    carte = CarteTOTP.objects.get()
    client = token_client(client, referent)

    assert client.get(CARTES).json()["results"] == []
    assert post(client, f"{CARTES}{carte.pk}/perdue/").status_code == 404
