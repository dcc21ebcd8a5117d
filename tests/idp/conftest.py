import time
from collections.abc import Iterator

import pytest

from idp.services import relying_party_register
from mandats.models import Demarche
from tests.idp.service import REDIRECT_URI, SECRET, PublicService
from tests.mandats.conftest import (  # noqa: F401 - the personas of Aidants Connect
    aidant,
    mandat,
    organisation,
    other_organisation,
    outsider_aidant,
    usager,
    verified_client,
)

ALLOWED_DEMARCHES = [Demarche.SOCIAL, Demarche.LOGEMENT]


@pytest.fixture(scope="session")
def drained_live_server(live_server):
    """The live server, left a moment at the very end for its request threads to see their
    connections closed by the tests: one still running when it stops would touch the shared
    in-memory SQLite connection from a thread no longer allowed to."""
    yield live_server
    time.sleep(0.5)


@pytest.fixture
def registered(transactional_db):
    """The public service under test: allowed for social and logement only."""
    return relying_party_register(
        client_id="caf-demo",
        name="Caisse d'allocations (test)",
        secret=SECRET,
        redirect_uris=[REDIRECT_URI],
        post_logout_redirect_uris=["http://127.0.0.1:9000/au-revoir/"],
        demarches=ALLOWED_DEMARCHES,
    )


@pytest.fixture
def service(drained_live_server, registered) -> Iterator[PublicService]:
    public_service = PublicService(issuer=drained_live_server.url, client_id=registered.client_id)
    yield public_service
    # A kept-alive connection would outlive the live server and close in a dead thread.
    public_service.close()


@pytest.fixture
def browser(client):
    """A browser on localhost, where authlib allows plain HTTP (elsewhere it demands HTTPS)."""
    client.defaults["HTTP_HOST"] = "localhost"
    return client


@pytest.fixture
def aidant_browser(verified_client, aidant):  # noqa: F811 - the imported personas
    """The aidant's browser: logged in, TOTP verified, on localhost where authlib allows plain
    HTTP (anywhere else it demands HTTPS)."""
    browser = verified_client(aidant)
    browser.defaults["HTTP_HOST"] = "localhost"
    return browser
