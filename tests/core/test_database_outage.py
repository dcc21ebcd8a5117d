"""A database that cannot be reached answers 503 with Retry-After: JSON in the error shape for the
API, a French page for the rest. Nothing shared is restarted: the test's own connection is pointed
at a port where nothing listens (PostgreSQL) or at a file that cannot be opened (SQLite)."""

import socket

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from backend.urls import urlpatterns as project_urlpatterns
from core.database_outage import DatabaseOutageMiddleware, is_database_outage
from core.error_pages import server_error
from core.models import Region
from core.services import api_token_create


def closed_port() -> int:
    """A port nothing listens on: bound by us, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_database(tmp_path):
    """From here on, every new connection of this thread fails as during a restart; the
    settings are put back afterwards, for the flush and the next tests. The tests using it are
    transactional: no test transaction holds the connection open."""
    saved = dict(connection.settings_dict)
    connection.close()
    assert connection.connection is None
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "absent" / "db.sqlite3")
    # The failure the requests below meet: a refused connection, not a closed one.
    with pytest.raises(OperationalError):
        connection.ensure_connection()
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


@pytest.mark.django_db(transaction=True)
def test_an_api_call_during_an_outage_is_503_in_the_error_shape(client, anct, request):
    _, raw = api_token_create(user=anct, name="outage")
    request.getfixturevalue("unreachable_database")

    response = client.get("/api/departements/", HTTP_AUTHORIZATION=f"Token {raw}")

    assert_unavailable(response)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["message"].startswith("La base de données est momentanément injoignable")
    assert body["details"] == {}


@pytest.mark.django_db(transaction=True)
def test_a_page_during_an_outage_is_a_french_503_page(client, anct, request):
    client.force_login(anct)
    request.getfixturevalue("unreachable_database")

    response = client.get("/")

    assert_unavailable(response)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<h1>Service momentanément indisponible</h1>" in page
    assert 'href="/">Retour à l\'accueil</a>' in page
    assert "Réessayer" in page


@pytest.mark.django_db(transaction=True)
def test_an_outage_met_by_a_middleware_is_a_503_too(anct, request):
    """The second-factor middleware loads the session's user before any view: the 500 handler
    answers instead of the middleware's process_exception."""
    client = Client(raise_request_exception=False)
    client.force_login(anct)
    request.getfixturevalue("unreachable_database")

    response = client.get("/aidants-connect/")

    assert_unavailable(response)
    assert "Service momentanément indisponible" in response.content.decode()


# An integrity error is a bug or a refusal, not an outage: a 500 stays a 500.


def duplicate_region(request: HttpRequest) -> HttpResponse:
    region = Region.objects.first()
    assert region is not None
    Region.objects.create(code=region.code, name="Doublon")
    return HttpResponse("jamais")


urlpatterns = [path("doublon/", duplicate_region), *project_urlpatterns]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_integrity_error_is_not_answered_503():
    response = Client(raise_request_exception=False).get("/doublon/")

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


# An OperationalError from a database that answered: a statement cancelled by its timeout
# (PostgreSQL), a missing table (SQLite).
OPERATIONAL_BUT_REACHABLE = {
    "postgresql": ("SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)",),
    "sqlite": ("SELECT * FROM table_qui_n_existe_pas",),
}


@pytest.mark.django_db
def test_only_a_lost_connection_counts_as_an_outage():
    factory = RequestFactory()
    region = Region.objects.first()
    assert region is not None
    with pytest.raises(IntegrityError) as integrity, transaction.atomic():
        Region.objects.create(code=region.code, name="Doublon")
    with (
        pytest.raises(OperationalError) as bad_query,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(*OPERATIONAL_BUT_REACHABLE[connection.vendor])
    for refused in (integrity.value, bad_query.value):
        assert not is_database_outage(refused)
        middleware = DatabaseOutageMiddleware(lambda request: HttpResponse())
        assert middleware.process_exception(factory.get("/api/x/"), refused) is None
        try:
            raise refused
        except type(refused):
            assert server_error(factory.get("/")).status_code == 500
