import pytest
from django.test import override_settings

from tests.services import TEST_REDIS_URL

pytestmark = pytest.mark.django_db


@pytest.mark.redis
def test_healthz_is_200_when_database_and_broker_answer(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=TEST_REDIS_URL):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok"
    assert body["services"]["base_de_donnees"] == {"ok": True, "message": "disponible"}
    assert body["services"]["broker"] == {"ok": True, "message": "disponible"}


def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "dégradé"
    assert body["indisponibles"] == ["broker"]
    assert body["services"]["base_de_donnees"]["ok"] is True
    assert body["services"]["broker"]["ok"] is False
    assert body["services"]["broker"]["message"].startswith("injoignable")


def test_healthz_in_the_embedded_demo_says_tasks_run_in_process(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "dans le processus" in response.json()["services"]["broker"]["message"]


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
