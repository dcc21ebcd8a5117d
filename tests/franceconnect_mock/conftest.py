from collections.abc import Iterator

import pytest

from franceconnect_mock import demo
from franceconnect_mock.services import service_provider_register
from tests.franceconnect_mock.relying_party import RelyingParty

OTHER_SECRET = "autre-secret-de-test-0123456789abcdefghij"


@pytest.fixture
def issuer(live_server) -> str:
    return f"{live_server.url}/mock-franceconnect/api/v2"


@pytest.fixture
def demo_client(transactional_db):
    return demo.load()


@pytest.fixture
def rp(issuer, demo_client) -> Iterator[RelyingParty]:
    """Aidants Connect as the demo registers it."""
    relying_party = RelyingParty(
        issuer=issuer,
        client_id=demo.DEMO_CLIENT_ID,
        client_secret=demo.DEMO_CLIENT_SECRET,
        redirect_uri=demo_client.redirect_uris[0],
    )
    yield relying_party
    # A kept-alive connection would outlive the live server and close in a dead thread.
    relying_party.http.close()


@pytest.fixture
def other_rp(issuer, transactional_db) -> Iterator[RelyingParty]:
    """Another service provider, to show what one client cannot do with another's data."""
    service_provider_register(
        client_id="autre-service",
        name="Autre service",
        secret=OTHER_SECRET,
        redirect_uris=["http://127.0.0.1:9000/retour/"],
        post_logout_redirect_uris=["http://127.0.0.1:9000/deconnecte/"],
    )
    relying_party = RelyingParty(
        issuer=issuer,
        client_id="autre-service",
        client_secret=OTHER_SECRET,
        redirect_uri="http://127.0.0.1:9000/retour/",
    )
    yield relying_party
    relying_party.http.close()
