"""Registering a service in the admin, and the demo service run end to end over HTTP."""

import re
from collections.abc import Iterator

import pytest
import requests
from django.contrib.messages import get_messages

from core.oidc.models import digest
from idp import demo
from idp.models import RelyingParty
from mandats.models import Demarche, JournalAction, JournalEntry
from tests.factories import UserFactory

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
AUTORISATION_BUTTON = re.compile(r'name="autorisation"\s+value="(\d+)"')


@pytest.fixture
def anct_staff(client, db):
    staff = UserFactory(email="agent@anct.gouv.fr", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def _form(**overrides: str | list[str]) -> dict:
    return {
        "client_id": "impots-demo",
        "name": "Impôts (démo)",
        "secret": "",
        "redirect_uris": "https://impots.example/retour/\nhttps://impots.example/retour2/",
        "post_logout_redirect_uris": "",
        "signing_algorithm": "RS256",
        "userinfo_format": "jwt",
        "demarches": [Demarche.ARGENT],
        "is_active": "on",
        **overrides,
    }


def test_a_generated_secret_is_shown_once_and_stored_as_a_digest(anct_staff):
    response = anct_staff.post("/admin/idp/relyingparty/add/", _form())

    assert response.status_code == 302
    client = RelyingParty.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    secret = re.search(r"une seule fois : (\S+)", shown[0]).group(1)
    assert len(secret) >= 32
    assert client.secret_hash == digest(secret)
    assert client.redirect_uris == [
        "https://impots.example/retour/",
        "https://impots.example/retour2/",
    ]
    assert client.demarches == [Demarche.ARGENT]


def test_a_pasted_secret_is_kept_as_its_digest_and_a_short_one_refused(anct_staff):
    pasted = "secret-colle-par-l-anct-0123456789-abcdef"

    short = anct_staff.post("/admin/idp/relyingparty/add/", _form(secret="trop-court"))
    anct_staff.post("/admin/idp/relyingparty/add/", _form(secret=pasted))

    assert short.status_code == 200
    assert RelyingParty.objects.get().secret_hash == digest(pasted)


def test_the_demo_load_is_idempotent(db):
    first = demo.load()
    second = demo.load()

    assert first.pk == second.pk
    assert RelyingParty.objects.count() == 1
    assert second.check_client_secret(demo.DEMO_CLIENT_SECRET)


@pytest.fixture
def aidant_http(drained_live_server, verified_client, aidant) -> Iterator[requests.Session]:
    """The aidant's browser against the live server: the test client's verified session."""
    session_id = verified_client(aidant).cookies["sessionid"].value
    http = requests.Session()
    http.cookies.set("sessionid", session_id)
    yield http
    http.close()


def _post_form(
    http: requests.Session, page: requests.Response, data: dict, url: str = ""
) -> requests.Response:
    csrf = CSRF_INPUT.search(page.text).group(1)
    # The test settings mark the CSRF cookie Secure: requests would not send it over HTTP.
    cookies = {"csrftoken": page.cookies.get("csrftoken") or http.cookies.get("csrftoken")}
    return http.post(
        url or page.url,
        data={"csrfmiddlewaretoken": csrf, **data},
        cookies=cookies,
        allow_redirects=False,
        timeout=10,
    )


def test_the_demo_service_receives_the_identity_over_http(live_server, aidant_http, mandat):
    demo.load(origins=(live_server.url,))
    home = aidant_http.get(f"{live_server.url}{demo.HOME_PATH}", timeout=10)
    start = _post_form(
        aidant_http, home, {}, f"{live_server.url}/demarche-en-ligne-demo/connexion/"
    )
    page = aidant_http.get(start.headers["Location"], timeout=10)
    social = mandat.autorisations.get(demarche=Demarche.SOCIAL)

    assert social.pk in {int(pk) for pk in AUTORISATION_BUTTON.findall(page.text)}
    callback = _post_form(aidant_http, page, {"autorisation": social.pk})
    result = aidant_http.get(callback.headers["Location"], timeout=10)

    assert result.status_code == 200
    assert "Identité de l'usager reçue d'Aidants Connect" in result.text
    assert "DUPONT" in result.text
    entry = JournalEntry.objects.get(action=JournalAction.AUTORISATION_USED)
    assert entry.details == {"service": demo.DEMO_CLIENT_ID}
