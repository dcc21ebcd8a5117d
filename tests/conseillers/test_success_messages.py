"""Success messages are sentences a person would write, not "Fait : refuser la candidature."."""

import pytest
from django.urls import reverse

from conseillers.models import CandidatureState
from tests.conseillers.factories import candidature_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        ("refuse", "La candidature a été refusée."),
        ("cancel", "La candidature a été annulée."),
        ("mark_duplicate", "La candidature a été classée comme doublon."),
    ],
)
def test_an_act_on_an_application_is_told_in_a_sentence(client, anct, structure, action, sentence):
    candidature = candidature_in(CandidatureState.CREATED, structure=structure)
    client.force_login(anct)
    response = client.post(
        reverse("conseillers:candidature-action", args=[candidature.pk, action]),
        {"acte-reason": "Dossier incomplet."},
        follow=True,
    )
    page = response.content.decode()
    assert sentence in page
    assert "Fait :" not in page
