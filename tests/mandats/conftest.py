import pytest
from django.core.cache import cache
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from mandats.otp import SESSION_LAST_ACTIVITY
from tests.factories import MembershipFactory
from tests.mandats.factories import (
    HabilitatedOrganisationFactory,
    MandatFactory,
    TOTPDeviceFactory,
    UsagerFactory,
)

OTP_MIDDLEWARE = "mandats.middleware.AidantOTPRequiredMiddleware"


@pytest.fixture(autouse=True)
def aidant_otp_middleware(settings):
    """The lead wires the middleware into the settings; until then the tests add it here."""
    if OTP_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, OTP_MIDDLEWARE]


@pytest.fixture(autouse=True)
def empty_limits_cache():
    """The public request's limits count in the process-wide cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


# Personas of Aidants Connect: organisation A (the `structure` persona) and B (`other_structure`).


@pytest.fixture
def organisation(structure):
    return HabilitatedOrganisationFactory(structure=structure)


@pytest.fixture
def other_organisation(other_structure):
    return HabilitatedOrganisationFactory(structure=other_structure)


@pytest.fixture
def aidant(organisation):
    return MembershipFactory(structure=organisation.structure, role="aidant").user


@pytest.fixture
def referent(organisation):
    return MembershipFactory(structure=organisation.structure, role="referent").user


@pytest.fixture
def outsider_aidant(other_organisation):
    """An aidant of organisation B: must never reach organisation A's mandates."""
    return MembershipFactory(structure=other_organisation.structure, role="aidant").user


@pytest.fixture
def usager(db):
    return UsagerFactory(given_names="Stéphane Louis Perceval", family_name="DUPONT")


@pytest.fixture
def mandat(organisation, usager):
    return MandatFactory(organisation=organisation.structure, usager=usager)


@pytest.fixture
def verified_client(client):
    """Logs `user` in with a confirmed TOTP device already verified in the session."""

    def login(user):
        device = TOTPDeviceFactory(user=user)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SESSION_LAST_ACTIVITY] = timezone.now().timestamp()
        session.save()
        return client

    return login
