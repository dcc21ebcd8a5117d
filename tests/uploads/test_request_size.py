"""The attack: a body far above any allowed upload. It is refused from its Content-Length with
413, before a byte of it is read (before, Django read it whole to a temporary file and a form
refused it afterwards), with the DSFR page or the API's error shape."""

import pytest
from django.test import override_settings

from conseillers.subsidy.models import Justification

pytestmark = pytest.mark.django_db

FIFTY_MB = 50 * 1024 * 1024


class UnreadableBody:
    """A request body that records every read: the refusal must not need one."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = b"x" * (FIFTY_MB if size is None or size < 0 else min(size, FIFTY_MB))
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def send_fifty_megabytes(client, url: str) -> tuple:
    body = UnreadableBody()
    response = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=frontiere",
        CONTENT_LENGTH=str(FIFTY_MB),
        **{"wsgi.input": body},
    )
    return response, body


def test_a_fifty_megabyte_justification_is_refused_unread(client, gestionnaire, second):
    client.force_login(gestionnaire)
    response, body = send_fifty_megabytes(
        client, f"/conseillers/subventions/tranches/{second.pk}/justifier/"
    )
    assert response.status_code == 413
    assert body.bytes_read == 0
    page = response.content.decode()
    assert "Fichier trop volumineux" in page
    assert "La requête dépasse 31 Mo : chaque fichier doit faire 10 Mo au plus." in page
    assert "fr-alert--error" in page  # the DSFR page, not Django's bare error
    assert not Justification.objects.exists()


def test_the_api_answers_413_in_its_error_shape(client, gestionnaire, second):
    client.force_login(gestionnaire)
    response, body = send_fifty_megabytes(client, f"/api/conseillers/tranches/{second.pk}/justify/")
    assert response.status_code == 413
    assert body.bytes_read == 0
    assert response.json() == {
        "code": "request_too_large",
        "message": "La requête dépasse 31 Mo : chaque fichier doit faire 10 Mo au plus.",
        "details": {"max_request_mb": 31, "max_upload_mb": 10},
    }


def test_an_anonymous_upload_to_the_open_registration_is_refused_unread(client):
    response, body = send_fifty_megabytes(client, "/conseillers/candidats/inscription/")
    assert response.status_code == 413
    assert body.bytes_read == 0


@override_settings(MAX_UPLOAD_MB=1, MAX_REQUEST_MB=2)
def test_the_limits_follow_the_settings(client):
    response, _ = send_fifty_megabytes(client, "/api/conseillers/candidats/")
    assert response.json()["details"] == {"max_request_mb": 2, "max_upload_mb": 1}


@override_settings(MAX_REQUEST_MB=1)
def test_a_body_within_the_limit_goes_through(client):
    response = client.post("/conseillers/candidats/inscription/", {"first_name": "x" * 1000})
    assert response.status_code == 400  # the form's answer: the body was read and validated
