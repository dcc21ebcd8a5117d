"""A structure removes a place: deleted when no activity record names it, closed otherwise (the
records keep it); either way it leaves the public map, the open data and the public API."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.utils import timezone

from lieux.models import Lieu
from lieux.services import lieu_remove
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.factories import MatchFactory
from tests.factories import CommuneFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def lieu(structure):
    return Lieu.objects.create(
        structure=structure,
        name="Point numérique du centre",
        address="5 rue Nationale",
        commune=CommuneFactory(),
        postal_code="37000",
        services=["Aide aux démarches administratives"],
    )


def named_by_a_record(lieu):
    match = MatchFactory(structure=lieu.structure, finalised=True)
    return ActivityFactory(match=match, lieu=lieu, place_label=lieu.name)


def public_traces(client, lieu) -> dict[str, bool]:
    """Where the public would find the place (logged out)."""
    client.logout()
    return {
        "map": lieu.name in client.get("/lieux/").content.decode(),
        "page": client.get(f"/lieux/{lieu.pk}/").status_code == 200,
        "open data": f"inclusion-numerique-lieu-{lieu.pk}"
        in client.get("/api/lieux/donnees-ouvertes/").content.decode(),
        "api": client.get(f"/api/lieux/{lieu.pk}/").status_code == 200,
    }


def test_a_place_no_record_names_is_deleted_and_leaves_the_map(
    client, lieu, gestionnaire, django_capture_on_commit_callbacks
):
    assert all(public_traces(client, lieu).values())
    client.force_login(gestionnaire)
    url = f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/retirer/"
    edit = client.get(f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/modifier/")
    assert "Supprimer le lieu" in edit.content.decode()  # the modal's button
    confirm = client.get(url)  # without JavaScript, the same consequence on a page
    assert "Cette action est définitive." in confirm.content.decode()
    assert Lieu.objects.filter(pk=lieu.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the export's cache moves on
        response = client.post(url, follow=True)

    assert "Le lieu « Point numérique du centre » est supprimé." in response.content.decode()
    assert not Lieu.objects.filter(pk=lieu.pk).exists()
    assert not any(public_traces(client, lieu).values())


def test_a_place_records_name_is_closed_and_the_records_keep_it(
    client, lieu, gestionnaire, django_capture_on_commit_callbacks
):
    record = named_by_a_record(lieu)
    assert public_traces(client, lieu)["open data"]  # cached from here
    client.force_login(gestionnaire)
    edit = client.get(f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/modifier/")
    assert "Fermer le lieu" in edit.content.decode()
    assert (
        "les comptes rendus d&#x27;activité qui le citent (1) le gardent" in edit.content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/retirer/", follow=True
        )

    lieu.refresh_from_db()
    assert lieu.closed_on is not None
    assert f"est fermé le {lieu.closed_on:%d/%m/%Y}" in response.content.decode()
    record.refresh_from_db()
    assert record.lieu_id == lieu.pk
    assert not any(public_traces(client, lieu).values())
    # Its managers still see it, closed, with its records counted.
    client.force_login(gestionnaire)
    page = client.get(f"/lieux/{lieu.pk}/").content.decode()
    assert "Ce lieu est fermé depuis le" in page
    assert "Comptes rendus d'activité qui citent ce lieu : 1." in page
    listing = client.get(f"/lieux/structure/{lieu.structure_id}/").content.decode()
    assert f"fermé le {lieu.closed_on:%d/%m/%Y}" in listing
    # Closed once: no second removal is offered.
    assert (
        client.post(f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/retirer/").status_code == 404
    )


def test_the_database_refuses_to_delete_a_place_a_record_names(lieu):
    named_by_a_record(lieu)
    with pytest.raises(ProtectedError):
        lieu.delete()


@pytest.mark.parametrize("persona", ["outsider", "colleague", "prefecture_37"])
def test_only_the_structure_managers_remove_its_places(request, client, lieu, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = f"/lieux/structure/{lieu.structure_id}/{lieu.pk}/retirer/"
    assert client.post(url).status_code in (403, 404)
    assert client.delete(f"/api/lieux/{lieu.pk}/").status_code in (403, 404)
    with pytest.raises(PermissionDenied) as refused:
        lieu_remove(lieu=lieu, by=user)
    assert "gestionnaires et référents" in str(refused.value)
    lieu.refresh_from_db()
    assert lieu.closed_on is None


def test_the_api_deletes_or_closes_as_the_pages_do(client, structure, lieu, gestionnaire, anct):
    kept = Lieu.objects.create(
        structure=structure,
        name="Médiathèque",
        address="1 place",
        commune=CommuneFactory(),
        postal_code="37000",
        services=["Aide aux démarches administratives"],
    )
    named_by_a_record(kept)
    client.force_login(gestionnaire)

    assert client.delete(f"/api/lieux/{lieu.pk}/").status_code == 204
    assert not Lieu.objects.filter(pk=lieu.pk).exists()

    closed = client.delete(f"/api/lieux/{kept.pk}/")
    assert closed.status_code == 200
    assert closed.json()["closed_on"] == timezone.localdate().isoformat()
    # Its managers and ANCT still read it through the API; the public does not.
    assert client.get(f"/api/lieux/{kept.pk}/").json()["closed_on"] is not None
    assert client.delete(f"/api/lieux/{kept.pk}/").status_code == 200  # already closed
    client.force_login(anct)
    assert client.get(f"/api/lieux/{kept.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/api/lieux/{kept.pk}/").status_code == 404
