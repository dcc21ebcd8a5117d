"""FranceConnect over real HTTP: the live server runs the site, the mock provider (or a forging
one) and the client between them; tests drive it as a browser would."""

from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse
from django_otp.oath import totp

from franceconnect_mock.models import ServiceProvider
from franceconnect_mock.services import service_provider_register
from mandats import franceconnect
from tests.mandats.factories import TOTPDeviceFactory
from tests.mandats.franceconnect import forging_provider
from tests.mandats.franceconnect.flows import STEP_1
from tests.mandats.franceconnect.forging_provider import Forgery
from tests.mandats.franceconnect.web import Web

CLIENT_ID = "aidants-connect-tests"
CLIENT_SECRET = "secret-des-tests-franceconnect-0123456789abcdef"
CALLBACK = "/aidants-connect/franceconnect/callback/"
LOGOUT_CALLBACK = "/aidants-connect/franceconnect/logout-callback/"
PASSWORD = "mot-de-passe-de-test"  # tests.factories.UserFactory's


@pytest.fixture(autouse=True)
def fresh_client() -> Iterator[None]:
    """The client caches discovery and JWKS per configuration: each test starts without them."""
    franceconnect._client.cache_clear()
    yield
    franceconnect._client.cache_clear()


def use_provider(settings, issuer: str) -> None:
    settings.FRANCECONNECT_DISCOVERY_URL = f"{issuer}/.well-known/openid-configuration"
    settings.FRANCECONNECT_CLIENT_ID = CLIENT_ID
    settings.FRANCECONNECT_CLIENT_SECRET = CLIENT_SECRET


@pytest.fixture
def mock_provider(live_server, settings) -> ServiceProvider:
    """The mock FranceConnect of the live server, with our client registered for its URLs."""
    provider = service_provider_register(
        client_id=CLIENT_ID,
        name="Aidants Connect (tests)",
        secret=CLIENT_SECRET,
        redirect_uris=[live_server.url + CALLBACK],
        post_logout_redirect_uris=[live_server.url + LOGOUT_CALLBACK],
    )
    use_provider(settings, f"{live_server.url}/mock-franceconnect/api/v2")
    return provider


@pytest.fixture
def forging(live_server, settings) -> Callable[[Forgery], None]:
    """Points the client at the forging provider serving `forgery`."""
    settings.ROOT_URLCONF = "tests.mandats.franceconnect.forging_provider"
    forging_provider.JWKS_REQUESTS.clear()

    def use(forgery: Forgery) -> None:
        use_provider(settings, forging_provider.issuer(live_server.url, forgery))

    return use


@pytest.fixture
def web(live_server) -> Iterator[Web]:
    browser = Web(live_server.url)
    yield browser
    browser.close()


@pytest.fixture
def aidant_web(web, aidant, organisation) -> Web:
    """The aidant logged in over HTTP, as in a browser: password, then a TOTP code."""
    device = TOTPDeviceFactory(user=aidant)
    web.submit("/connexion/", {"username": aidant.email, "password": PASSWORD})
    verify = web.submit(
        reverse("mandats:totp-verify"), {"code": f"{totp(device.bin_key):06d}", "next": STEP_1}
    )
    assert verify.headers["Location"] == STEP_1, verify.text[:500]
    return web
