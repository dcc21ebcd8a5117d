"""Renewal re-uses the usager's identity and asks the aidant for a fresh TOTP code."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mandats.models import JournalAction, JournalEntry, Mandat


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def url(mandat):
    return reverse("mandats:mandat-renew", args=[mandat.pk])


def test_the_form_proposes_the_allowed_demarches_and_a_code_field(
    verified_client, aidant, organisation, url
):
    organisation.allowed_demarches = ["social", "argent", "logement"]
    organisation.save()

    html = verified_client(aidant).get(url).content.decode()

    assert 'value="logement"' in html
    assert 'value="justice"' not in html
    assert 'for="id_code"' in html


def test_renews_with_a_fresh_code(verified_client, aidant, mandat, url):
    client = verified_client(aidant)

    response = client.post(
        url, {"demarches": ["social"], "duration": "annee", "code": current_code(aidant)}
    )

    assert response.status_code == 302
    renewed = Mandat.objects.get(renewed_from=mandat)
    assert list(renewed.autorisations.values_list("demarche", flat=True)) == ["social"]
    # The démarche not renewed stays under the old mandate.
    assert list(mandat.autorisations.active().values_list("demarche", flat=True)) == ["argent"]
    assert JournalEntry.objects.filter(action=JournalAction.MANDAT_RENEWED).exists()


def test_a_renewal_ends_on_the_new_mandates_attestation(verified_client, aidant, mandat, url):
    client = verified_client(aidant)

    response = client.post(
        url,
        {"demarches": ["social"], "duration": "annee", "code": current_code(aidant)},
        follow=True,
    )

    renewed = Mandat.objects.get(renewed_from=mandat)
    assert response.redirect_chain == [(reverse("mandats:attestation", args=[renewed.pk]), 302)]
    html = response.content.decode()
    assert f"Attestation de mandat n° {renewed.pk}" in html
    assert f"voici l&#x27;attestation du {renewed}" in html


@pytest.mark.parametrize("code", ["", "000000"])
def test_refuses_without_a_valid_code_even_in_a_verified_session(
    verified_client, aidant, mandat, url, code
):
    response = verified_client(aidant).post(
        url, {"demarches": ["social"], "duration": "annee", "code": code}
    )

    assert response.status_code == 200
    assert list(Mandat.objects.all()) == [mandat]
    assert not JournalEntry.objects.exists()


def test_a_referent_cannot_renew(verified_client, referent, url):
    assert verified_client(referent).get(url).status_code == 403
