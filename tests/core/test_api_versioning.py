"""The version is in the media type: no version means 1, version 1 is served, any other is
refused (406) naming the versions that exist; the addresses do not change."""

import pytest

pytestmark = pytest.mark.django_db


def test_no_version_and_version_1_are_served_alike(client, anct):
    client.force_login(anct)
    plain = client.get("/api/regions/")
    versioned = client.get("/api/regions/", HTTP_ACCEPT="application/json; version=1")
    assert plain.status_code == versioned.status_code == 200
    assert plain.json() == versioned.json()


def test_an_unknown_version_is_refused_naming_the_known_ones(client, anct):
    client.force_login(anct)
    response = client.get("/api/structures/", HTTP_ACCEPT="application/json; version=2")
    assert response.status_code == 406
    assert response.json() == {
        "code": "unsupported_version",
        "message": "Version de l'API inconnue (en-tête Accept). Versions possibles : 1.",
        "details": {},
    }


def test_the_schema_documents_the_version_rule(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "version=1" in schema["info"]["description"]
    operation = schema["paths"]["/api/structures/"]["get"]
    assert "406" in operation["responses"]
