"""Two web servers, as two machines behind the proxy: two gunicorn processes, each with its own
local disk and memory, sharing only PostgreSQL, a Redis (the cache) and the object store (moto's
S3 server). What one server was sent, the other serves, to the same people only; what one server
counted (failed logins, API requests), the other counts on."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from conseillers.subsidy.models import JustificationDocument, Tranche, TrancheState
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import UserFactory
from tests.pdfs import PLAIN
from tests.servers import ObjectStore, WebServer
from tests.workers import RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BUCKET = "inclusion-televersements"
PASSWORD = "mot-de-passe-de-test"
PAIR_LIMIT = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def object_store(tmp_path_factory) -> Iterator[ObjectStore]:
    store = ObjectStore(tmp_path_factory.mktemp("s3"))
    try:
        store.wait()
        store.create_bucket(BUCKET)
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="module")
def cache_server(tmp_path_factory) -> Iterator[RedisServer]:
    """A Redis of the module's own: the rate-limit counts start from nothing."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(
    django_db_setup, object_store, cache_server, tmp_path_factory
) -> Iterator[list[WebServer]]:
    directory = tmp_path_factory.mktemp("web")
    env = {**object_store.environment(BUCKET), "CACHE_URL": cache_server.url(1)}
    pair = [WebServer(directory, env) for _ in range(2)]
    try:
        for server in pair:
            server.wait()
        yield pair
    finally:
        for server in pair:
            server.stop()


class Visitor:
    """One browser. The servers run the production cookie settings (Secure) behind what would be
    the TLS-terminating proxy; the test speaks plain HTTP to them, over which requests would keep
    Secure cookies to itself, so the visitor carries its cookies itself, to whichever server."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(
            method, url, headers={"Cookie": cookie}, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def form_token(self, url: str) -> str:
        page = self.request("GET", url)
        assert page.status_code == 200, page.text
        match = CSRF_FIELD.search(page.text)
        assert match is not None
        return match.group(1)

    def log_in(self, server: WebServer, email: str, password: str = PASSWORD) -> requests.Response:
        url = f"{server.url}/connexion/"
        token = self.form_token(url)
        data = {"username": email, "password": password, "csrfmiddlewaretoken": token}
        return self.request("POST", url, data=data)


def due_tranche(structure, gestionnaire, anct) -> Tranche:
    """Tranche 2 of a conseiller recruited 13 months ago: it awaits an activity report and the
    payslips."""
    career = Career(structure=structure, manager=gestionnaire, anct=anct)
    tranche = career.tranches(career.recruit(months_ago(13, timezone.localdate())))[1]
    assert tranche.state == TrancheState.DUE
    return tranche


def test_a_file_sent_to_one_server_is_served_by_the_other_to_its_readers_only(
    servers, object_store, structure, gestionnaire, anct, outsider
):
    first, second = servers
    tranche = due_tranche(structure, gestionnaire, anct)
    manager = Visitor()
    assert manager.log_in(first, gestionnaire.email).status_code == 302

    tranche_page = f"{first.url}/conseillers/subventions/tranches/{tranche.pk}/"
    sent = manager.request(
        "POST",
        f"{tranche_page}justifier/",
        data={"csrfmiddlewaretoken": manager.form_token(tranche_page)},
        files={
            "pieces-rapport_activite": ("rapport d'activité.pdf", PLAIN, "application/pdf"),
            "pieces-bulletins_salaire": ("bulletins.pdf", PLAIN, "application/pdf"),
        },
    )

    assert sent.status_code == 302, sent.text
    names = set(JustificationDocument.objects.values_list("file", flat=True))
    assert len(names) == 2
    assert set(object_store.keys(BUCKET)) == names  # in the shared store, not on first's disk
    report = JustificationDocument.objects.get(kind="rapport_activite")
    download = f"/conseillers/subventions/pieces/{report.pk}/"
    # The manager's session, opened on the first server, reads the file from the second.
    served = manager.request("GET", f"{second.url}{download}")
    assert served.status_code == 200, served.text
    assert served.content == PLAIN
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    page = manager.request("GET", f"{second.url}/conseillers/subventions/tranches/{tranche.pk}/")
    assert f'href="{download}"' in page.text
    assert object_store.url not in page.text and BUCKET not in page.text  # no link to the store

    stranger = Visitor()
    assert stranger.log_in(second, outsider.email).status_code == 302
    for server in servers:
        assert stranger.request("GET", f"{server.url}{download}").status_code == 404


def test_failed_logins_split_between_the_servers_lock_the_account_on_both(servers):
    victim = UserFactory(email="victime@exemple.fr")
    attacker = Visitor()
    for attempt in range(PAIR_LIMIT):
        refused = attacker.log_in(servers[attempt % 2], victim.email, "mauvais")
        assert refused.status_code == 200  # the page again, with its error
        assert "Adresse électronique ou mot de passe incorrect." in refused.text

    for server in servers:
        locked = attacker.log_in(server, victim.email)
        assert locked.status_code == 429
        assert "Trop de tentatives de connexion infructueuses" in locked.text
        assert "sessionid" not in attacker.cookies


def test_the_api_rate_limit_counts_the_requests_of_both_servers(servers):
    """The token endpoint allows 10 requests a minute per address, counted in the shared cache:
    split between the servers, the eleventh is refused by either."""
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    for attempt in range(rate):
        # A new unknown email each time: the login policy locks no pair meanwhile.
        body = {"email": f"inconnu-{attempt}@exemple.fr", "password": "mauvais"}
        answered = requests.post(f"{servers[attempt % 2].url}/api/jeton/", json=body, timeout=30)
        assert answered.status_code == 400, answered.text

    for server in servers:
        body = {"email": "encore@exemple.fr", "password": "mauvais"}
        refused = requests.post(f"{server.url}/api/jeton/", json=body, timeout=30)
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
