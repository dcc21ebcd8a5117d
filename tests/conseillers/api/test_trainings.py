import pytest

from conseillers.models import Training
from tests.conseillers.factories import CandidatFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/conseillers/formations/"
TRAINING = {"initial_hours": 210, "started_on": "2026-02-09", "cost": "3150.00"}


def test_anct_records_a_training_and_its_cost(client, anct):
    candidat = CandidatFactory()
    client.force_login(anct)
    response = client.post(
        URL, {**TRAINING, "candidat": candidat.pk}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Training.objects.get(candidat=candidat).cost == 3150


def test_hours_outside_105_to_420_are_refused_in_french(client, anct):
    client.force_login(anct)
    response = client.post(
        URL,
        {**TRAINING, "initial_hours": 100, "candidat": CandidatFactory().pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "105" in response.json()["details"]["initial_hours"][0]


def test_a_conseiller_reads_only_its_own_training_and_cannot_write(client):
    user = UserFactory()
    mine = Training.objects.create(
        candidat=CandidatFactory(user=user), initial_hours=210, started_on="2026-02-09"
    )
    Training.objects.create(candidat=CandidatFactory(), initial_hours=105, started_on="2026-02-09")
    client.force_login(user)
    listed = [row["id"] for row in client.get(URL).json()["results"]]
    assert listed == [mine.pk]
    response = client.patch(
        f"{URL}{mine.pk}/", {"initial_hours": 420}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_structure_manager_sees_no_training(client, gestionnaire):
    Training.objects.create(candidat=CandidatFactory(), initial_hours=210, started_on="2026-02-09")
    client.force_login(gestionnaire)
    assert client.get(URL).json()["count"] == 0
