"""Aidants Connect demo data: idempotent, in every mandate state, and a second factor a newcomer
can use from the documented key."""

import io
import time
from base64 import b32decode
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import demo as core_demo
from core.models import User
from franceconnect_mock.identities import get_identity
from franceconnect_mock.models import ServiceProvider
from franceconnect_mock.services import pairwise_sub
from idp import demo as idp_demo
from mandats import demo, otp, selectors
from mandats.models import (
    Autorisation,
    CarteTOTP,
    CarteTOTPStatus,
    HabilitatedOrganisation,
    JournalEntry,
    Mandat,
    MandatDuration,
    OrganisationRequest,
    Usager,
    all_demarches,
)
from tests.mandats.factories import TOTPDeviceFactory

pytestmark = pytest.mark.django_db

MODELS = [
    HabilitatedOrganisation,
    TOTPDevice,
    Usager,
    Mandat,
    Autorisation,
    JournalEntry,
    ServiceProvider,
]


def load() -> None:
    demo.load(core_demo.load())


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def documented_code(at: float) -> str:
    """The code any authenticator app shows for the documented base32 secret."""
    totp = TOTP(b32decode(demo.DEMO_TOTP_SECRET))
    totp.time = at
    return f"{totp.token():06d}"


@pytest.fixture
def frozen_clock():
    """The middle of the current 30-second step: a test never straddles a step boundary."""
    now = (int(time.time()) // 30) * 30 + 15.0
    with mock.patch("time.time", return_value=now):
        yield now


def usager_of(login: str) -> Usager:
    identity = get_identity(login)
    provider = ServiceProvider.objects.get(client_id="aidants-connect-demo")
    return Usager.objects.get(
        sub_hash=Usager.hash_sub(pairwise_sub(identity=identity, provider=provider))
    )


def test_loading_twice_duplicates_nothing():
    load()
    first = counts()

    load()

    assert counts() == first
    assert first["Mandat"] == 3
    assert first["TOTPDevice"] == 2


def test_the_association_is_habilitated_for_every_demarche():
    load()

    habilitation = HabilitatedOrganisation.objects.get(structure__siret=demo.ORGANISATION_SIRET)
    assert habilitation.allowed_demarches == all_demarches()


def test_the_usagers_are_those_the_mock_franceconnect_gives_the_demo_client():
    load()

    dupont, trois = usager_of("testfc1"), usager_of("3_melaine")

    assert dupont.full_name == "Stéphane Louis Perceval DUPONT"
    assert trois.full_name == "Mélaine Évelyne MARTIN"
    assert trois.birthplace == "37261"


def test_the_mandates_show_an_active_a_partly_revoked_and_an_expired_one():
    load()
    dupont, trois = usager_of("testfc1"), usager_of("3_melaine")

    active = Mandat.objects.active().get(usager=dupont)
    expired = Mandat.objects.exclude(pk=active.pk).get(usager=dupont)
    partly_revoked = Mandat.objects.get(usager=trois)

    assert active.duration == MandatDuration.TWELVE_MONTHS
    assert sorted(active.autorisations.values_list("demarche", flat=True)) == [
        "argent",
        "logement",
        "social",
    ]
    assert expired.is_expired()
    assert partly_revoked.is_active()
    revoked = partly_revoked.autorisations.filter(revoked_at__isnull=False)
    assert list(revoked.values_list("demarche", flat=True)) == ["famille"]


def test_every_demo_mandate_has_a_verifiable_attestation_hash(client):
    load()

    for mandat in Mandat.objects.all():
        response = client.get(reverse("mandats:attestation-verify", args=[mandat.content_hash]))
        assert response.status_code == 200


def test_the_demo_usager_space_shows_uses_on_the_demo_public_service():
    load()
    idp_demo.load()
    mandat = Mandat.objects.active().get(usager__family_name="DUPONT")

    uses = list(selectors.mandat_uses(mandat))

    assert sorted(entry.demarche for entry in uses) == ["logement", "social"]
    assert selectors.service_names(uses) == {
        demo.DEMO_SERVICE_CLIENT_ID: "Démarche en ligne (démo)"
    }


def test_the_journal_of_the_demo_verifies():
    load()
    load()

    assert JournalEntry.objects.first_break() is None
    # Two signings (1 + 3 each), one revocation, two uses of DUPONT's mandate, one aidant
    # deactivated, one card associated, one lost, three decisions on the organisation's request
    # (instructed, modifications asked, instructed again).
    assert JournalEntry.objects.count() == 17


def test_the_demo_aidants_totp_accepts_a_code_from_the_documented_key(frozen_clock):
    load()
    device = otp.confirmed_device(User.objects.get(email=demo.AIDANT_EMAIL))

    otp.check_code(device, documented_code(frozen_clock))  # raises if refused


def test_a_newcomer_logs_in_with_the_demo_password_and_the_documented_key(client, frozen_clock):
    load()
    client.post(
        reverse("core:login"),
        {"username": demo.AIDANT_EMAIL, "password": core_demo.DEMO_PASSWORD},
    )

    response = client.post(
        reverse("mandats:totp-verify"),
        {"code": documented_code(frozen_clock), "next": reverse("mandats:usager-list")},
    )

    assert response.status_code == 302
    assert response.url == reverse("mandats:usager-list")
    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.get(reverse("mandats:usager-list")).status_code == 200


def test_the_referent_gets_the_same_documented_key(frozen_clock):
    load()
    device = otp.confirmed_device(User.objects.get(email=demo.REFERENT_EMAIL))

    otp.check_code(device, documented_code(frozen_clock))


def test_reloading_puts_the_documented_key_back_on_an_enrolled_phone(frozen_clock):
    users = core_demo.load()
    phone = TOTPDeviceFactory(user=users[demo.AIDANT_EMAIL])

    demo.load(users)

    phone.refresh_from_db()
    assert phone.key == demo.DEMO_TOTP_KEY.hex()
    assert TOTPDevice.objects.filter(user=users[demo.AIDANT_EMAIL]).count() == 1
    otp.check_code(phone, documented_code(frozen_clock))


def test_the_otpauth_uri_carries_the_documented_secret():
    uri = demo.otpauth_uri(demo.AIDANT_EMAIL)

    assert uri.startswith("otpauth://totp/")
    assert f"secret={demo.DEMO_TOTP_SECRET}" in uri
    assert "aidant%40demo.inclusion.gouv.fr" in uri


def test_load_demo_prints_the_key_and_how_to_get_a_code():
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    printed = out.getvalue()
    assert demo.DEMO_TOTP_SECRET in printed
    assert demo.otpauth_uri(demo.AIDANT_EMAIL) in printed
    # The Makefile target: the command alone lacks the demo's environment on a fresh clone.
    assert "make demo-totp EMAIL=aidant@demo.inclusion.gouv.fr" in printed


# --- The demo_totp command --------------------------------------------------------------------


def test_demo_totp_refuses_to_run_outside_the_demo(settings):
    settings.DEMO = False
    load()

    with pytest.raises(CommandError, match="DEMO=1"):
        call_command("demo_totp", demo.AIDANT_EMAIL, stdout=io.StringIO())


def test_demo_totp_prints_the_code_the_device_accepts(settings, frozen_clock):
    settings.DEMO = True
    load()
    out, err = io.StringIO(), io.StringIO()

    call_command("demo_totp", demo.AIDANT_EMAIL, stdout=out, stderr=err)

    code = out.getvalue().strip()
    assert code == documented_code(frozen_clock)
    assert "Valable encore 15 s" in err.getvalue()
    device = otp.confirmed_device(User.objects.get(email=demo.AIDANT_EMAIL))
    otp.check_code(device, code)


def test_demo_totp_never_reads_another_key(settings):
    settings.DEMO = True
    load()
    TOTPDeviceFactory(user__email="aidant.reel@exemple.fr")

    with pytest.raises(CommandError, match="clé TOTP de démonstration"):
        call_command("demo_totp", "aidant.reel@exemple.fr", stdout=io.StringIO())


def test_demo_mandates_are_dated_around_now():
    load()

    now = timezone.now()
    assert Mandat.objects.filter(created_at__gt=now).count() == 0
    assert Mandat.objects.filter(expires_at__lte=now).count() == 1


def test_the_demo_shows_a_deactivated_aidant_on_the_team_page():
    load()
    load()

    departed = User.objects.get(email=demo.DEPARTED_AIDANT_EMAIL)
    organisation = selectors.current_organisation(User.objects.get(email=demo.REFERENT_EMAIL))
    assert not departed.is_active
    assert departed in [m.user for m in selectors.organisation_aidants(organisation)]
    assert JournalEntry.objects.filter(action="aidant_deactivated").count() == 1


def test_the_demo_holds_an_organisation_request_in_instruction_with_messages():
    load()
    load()

    (request,) = OrganisationRequest.objects.all()
    assert request.status == "en_instruction" and request.email_confirmed_at is not None
    assert [m.author_kind for m in request.messages.all()] == ["anct", "demandeur"]
    assert [t.transition for t in request.transitions.all()] == [
        "submit",
        "instruct",
        "request_changes",
        "submit_changes",
        "instruct",
    ]
    assert len(request.aidants) == 2


def test_the_demo_holds_a_card_in_stock_an_associated_card_and_a_lost_one():
    load()
    load()

    in_stock, associated, lost = CarteTOTP.objects.order_by("serial_number")
    assert in_stock.status == CarteTOTPStatus.STOCK
    assert associated.status == CarteTOTPStatus.ASSOCIATED
    assert associated.aidant.email == demo.CARD_AIDANT_EMAIL
    assert otp.confirmed_device(associated.aidant) == associated.device
    assert (lost.serial_number, lost.status) == (demo.LOST_CARD, CarteTOTPStatus.LOST)
    assert JournalEntry.objects.filter(action="carte_lost").count() == 1
