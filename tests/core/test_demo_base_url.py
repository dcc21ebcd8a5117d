"""The demo serves any address (make run HOST=…): its OpenID clients, the FranceConnect discovery
and the address load_demo prints follow DEMO_BASE_URL, the Makefile's http://$(HOST)."""

import io

import pytest
import requests
from django.core.management import call_command

from franceconnect_mock import demo as franceconnect_demo
from franceconnect_mock.models import ServiceProvider
from idp import demo as idp_demo
from idp.models import RelyingParty
from tests.franceconnect_mock.relying_party import RelyingParty as MockClient
from tests.fresh_settings import boot

ELSEWHERE = "http://192.0.2.10:8080"


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_registers_the_clients_for_the_address_served_and_prints_it(settings):
    settings.DEMO_BASE_URL = ELSEWHERE

    printed = load_demo()

    mock_client = ServiceProvider.objects.get(client_id=franceconnect_demo.DEMO_CLIENT_ID)
    assert mock_client.redirect_uris == [f"{ELSEWHERE}/aidants-connect/franceconnect/callback/"]
    assert mock_client.post_logout_redirect_uris == [
        f"{ELSEWHERE}/aidants-connect/franceconnect/logout-callback/"
    ]
    demo_service = RelyingParty.objects.get(client_id=idp_demo.DEMO_CLIENT_ID)
    assert demo_service.redirect_uris == [f"{ELSEWHERE}/demarche-en-ligne-demo/retour/"]
    assert f"Connectez-vous sur {ELSEWHERE}/connexion/" in printed
    assert ":8000" not in printed


@pytest.mark.django_db
def test_reloading_on_another_address_replaces_the_registration_without_duplicates(settings):
    settings.DEMO_BASE_URL = ELSEWHERE
    load_demo()
    settings.DEMO_BASE_URL = "http://localhost:9000"

    load_demo()

    mock_client = ServiceProvider.objects.get()
    # On this machine, the other loopback name a browser may use is registered too.
    assert mock_client.redirect_uris == [
        "http://localhost:9000/aidants-connect/franceconnect/callback/",
        "http://127.0.0.1:9000/aidants-connect/franceconnect/callback/",
    ]
    assert RelyingParty.objects.count() == 1


def test_the_mock_discovery_and_login_follow_the_address_the_demo_serves(live_server, settings):
    """End to end over HTTP: the demo loaded for the live server's address, its client starts a
    FranceConnect login there; the :8000 callback of the old registration is refused."""
    settings.DEMO_BASE_URL = live_server.url
    load_demo()
    issuer = f"{live_server.url}/mock-franceconnect/api/v2"
    http = requests.Session()
    try:
        discovery = http.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
        client = MockClient(
            issuer=discovery["issuer"],
            client_id=franceconnect_demo.DEMO_CLIENT_ID,
            client_secret=franceconnect_demo.DEMO_CLIENT_SECRET,
            redirect_uri=f"{live_server.url}/aidants-connect/franceconnect/callback/",
            http=http,
        )
        login_page = client.open_authorize(client.authorize_params())
        old_callback = "http://127.0.0.1:8000/aidants-connect/franceconnect/callback/"
        refused = client.open_authorize(client.authorize_params(redirect_uri=old_callback))
    finally:
        http.close()

    assert discovery["issuer"] == issuer
    assert discovery["authorization_endpoint"] == f"{issuer}/authorize"
    assert login_page.status_code == 200
    assert refused.status_code == 400


def test_the_demo_settings_follow_the_base_url():
    """A fresh interpreter, as `make run HOST=192.0.2.10:8080` starts it."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLOWED_HOSTS); print(s.SITE_URL); print(s.FRANCECONNECT_DISCOVERY_URL); "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = boot(
        code,
        drop={"ALLOWED_HOSTS", "SITE_URL", "FRANCECONNECT_DISCOVERY_URL"},
        DEBUG="1",
        CELERY_TASK_ALWAYS_EAGER="1",
        DEMO_BASE_URL=ELSEWHERE,
    )
    assert result.returncode == 0, result.stderr
    hosts, site_url, discovery, form_action = result.stdout.splitlines()
    assert hosts == "['127.0.0.1', 'localhost', '192.0.2.10']"
    assert site_url == ELSEWHERE
    assert discovery == f"{ELSEWHERE}/mock-franceconnect/api/v2/.well-known/openid-configuration"
    assert ELSEWHERE in form_action
