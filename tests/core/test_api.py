import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_api_call_gets_401_with_a_french_message(client):
    response = client.get("/api/structures/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentification requise : connectez-vous ou fournissez un jeton.",
        "details": {},
    }


def test_a_token_is_obtained_with_email_and_password_and_then_authenticates(client):
    UserFactory(email="api@exemple.fr")
    response = client.post(
        "/api/jeton/", {"email": "API@exemple.fr", "password": "mot-de-passe-de-test"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/moi/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["email"] == "api@exemple.fr"


def test_wrong_credentials_give_one_french_message_that_reveals_nothing(client):
    UserFactory(email="api@exemple.fr")
    for email in ("api@exemple.fr", "inconnu@exemple.fr"):
        response = client.post("/api/jeton/", {"email": email, "password": "faux"})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "Les données envoyées ne sont pas valides.",
            "details": {"non_field_errors": ["Adresse électronique ou mot de passe incorrect."]},
        }


def test_validation_errors_name_the_field_in_french(client, structure, anct):
    # ANCT: only it may change a SIRET (a gestionnaire is refused before any validation).
    client.force_login(anct)
    response = client.patch(
        f"/api/structures/{structure.pk}/",
        {"siret": "12345678901234", "motif": "Erreur de saisie"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "SIRET n'est pas valide" in body["details"]["siret"][0]


def test_a_bad_token_is_refused(client):
    response = client.get("/api/moi/", HTTP_AUTHORIZATION="Token faux")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_lists_are_paginated(client):
    body = client.get("/api/departements/", {"taille": 10}).json()
    assert body["count"] == 107
    assert len(body["results"]) == 10
    assert "page=2" in body["next"]


def test_me_lists_the_roles(client, gestionnaire):
    client.force_login(gestionnaire)
    assert client.get("/api/moi/").json()["roles"] == ["gestionnaire"]


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/", "/admin/login/"])
def test_schema_docs_and_admin_answer(client, url):
    response = client.get(url)
    assert response.status_code == 200


def test_the_schema_documents_the_structures_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/structures/" in schema["paths"]
    assert "/api/departements/" in schema["paths"]


def test_swagger_ui_is_served_without_internet(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
