"""The coordination pages: who reaches them, what they show, what their forms write."""

import pytest

from conseillers.coordination import services
from conseillers.coordination.models import Coordination
from conseillers.models import PostKind
from tests.conseillers.coordination.conftest import in_post
from tests.conseillers.factories import CandidatureFactory, MatchFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def detail(coordinator) -> str:
    return f"/conseillers/coordination/{coordinator.pk}/"


@pytest.mark.parametrize(
    ("persona", "status", "form"),
    [
        ("anct", 200, True),
        ("prefecture_37", 200, True),
        ("gestionnaire", 200, False),
        ("prefecture_33", 404, False),
        ("outsider", 404, False),
    ],
)
def test_the_group_page_by_role(
    request, client, coordinator, neighbour, anct, persona, status, form
):
    services.coordination_attach(coordinator=coordinator, conseiller=in_post(neighbour), by=anct)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(detail(coordinator))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "1 conseiller dans 1 structure" in page
        assert ("Rattacher un conseiller" in page) is form
        assert (">Détacher<" in page) is form


def test_the_coordinator_sees_their_group_from_the_list(client, coordinator, neighbour, anct):
    person = UserFactory()
    coordinator.candidat.user = person
    coordinator.candidat.save()
    member = in_post(neighbour)
    services.coordination_attach(coordinator=coordinator, conseiller=member, by=anct)
    client.force_login(person)
    listing = client.get("/conseillers/coordination/").content.decode()
    assert detail(coordinator) in listing
    page = client.get(detail(coordinator)).content.decode()
    assert str(member.candidat) in page
    assert "Rattacher un conseiller" not in page


def test_a_coordinated_conseiller_sees_their_coordinator(client, coordinator, neighbour, anct):
    person = UserFactory()
    member = in_post(neighbour, candidat__user=person)
    services.coordination_attach(coordinator=coordinator, conseiller=member, by=anct)
    client.force_login(person)
    page = client.get("/conseillers/coordination/").content.decode()
    assert f"Votre coordinateur : {coordinator.candidat}" in page


def test_attaching_and_detaching_from_the_page(client, coordinator, neighbour, prefecture_37):
    member = in_post(neighbour)
    client.force_login(prefecture_37)
    response = client.post(f"{detail(coordinator)}rattacher/", {"conseiller": member.pk})
    assert response.status_code == 302
    row = Coordination.objects.current().get(conseiller=member)
    response = client.post(f"{detail(coordinator)}detacher/{row.pk}/")
    assert response.status_code == 302
    assert not Coordination.objects.current().exists()


def test_a_conseiller_out_of_reach_is_not_offered(client, coordinator, blois, prefecture_37):
    far = in_post(blois)
    client.force_login(prefecture_37)
    response = client.post(f"{detail(coordinator)}rattacher/", {"conseiller": far.pk})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Coordination.objects.exists()


def test_a_manager_cannot_attach(client, coordinator, neighbour, gestionnaire):
    client.force_login(gestionnaire)
    response = client.post(
        f"{detail(coordinator)}rattacher/", {"conseiller": in_post(neighbour).pk}
    )
    assert response.status_code == 403
    assert not Coordination.objects.exists()


def test_the_recruitment_form_names_the_kind_of_post(client, coordinated_structure, gestionnaire):
    match = MatchFactory(structure=coordinated_structure, state="interessee")
    client.force_login(gestionnaire)
    page = client.get(f"/conseillers/mises-en-relation/{match.pk}/").content.decode()
    assert "Nature du poste" in page
    response = client.post(
        f"/conseillers/mises-en-relation/{match.pk}/recruter/",
        {
            "contrat-post_kind": PostKind.COORDINATOR,
            "contrat-contract_type": "cdi",
            "contrat-start_date": "2026-02-02",
            "contrat-gross_monthly_salary": "2000",
            "contrat-weekly_hours": "35",
        },
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.post.kind == PostKind.COORDINATOR
    page = client.get(f"/conseillers/mises-en-relation/{match.pk}/").content.decode()
    assert "voir le groupe coordonné" in page


def test_the_decision_form_grants_coordinator_posts(client, structure, anct, envelope_37):
    candidature = CandidatureFactory(structure=structure)
    client.force_login(anct)
    response = client.post(
        f"/conseillers/candidatures/{candidature.pk}/decision/",
        {
            "decision-posts_granted": "3",
            "decision-coordinator_posts_granted": "1",
            "decision-number": "COSELEC-9",
            "decision-decided_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/conseillers/candidatures/{candidature.pk}/").content.decode()
    assert "3 postes, dont 1 poste de coordinateur" in page
