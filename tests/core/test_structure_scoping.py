"""Who sees which structure: the same rule for the API and the pages (Structure.get_abilities)."""

import pytest

pytestmark = pytest.mark.django_db

VISIBLE = {
    # persona: (sees the 37 structure, sees the 33 structure)
    "anct": (True, True),
    "prefecture_37": (True, False),
    "prefecture_region_centre": (True, False),
    "gestionnaire": (True, False),
    "colleague": (True, False),
    "outsider": (False, True),
}


@pytest.mark.parametrize("persona", VISIBLE)
def test_api_lists_only_the_structures_in_scope(
    request, client, structure, other_structure, persona
):
    client.force_login(request.getfixturevalue(persona))
    listed = {s["id"] for s in client.get("/api/structures/").json()["results"]}
    sees_37, sees_33 = VISIBLE[persona]
    assert (structure.pk in listed) is sees_37
    assert (other_structure.pk in listed) is sees_33


@pytest.mark.parametrize("persona", VISIBLE)
def test_api_detail_of_a_structure_out_of_scope_is_not_found(
    request, client, structure, other_structure, persona
):
    client.force_login(request.getfixturevalue(persona))
    sees_37, sees_33 = VISIBLE[persona]
    for target, visible in ((structure, sees_37), (other_structure, sees_33)):
        response = client.get(f"/api/structures/{target.pk}/")
        assert response.status_code == (200 if visible else 404)
        if not visible:
            assert response.json() == {
                "code": "not_found",
                "message": "Ressource introuvable.",
                "details": {},
            }


@pytest.mark.parametrize("persona", VISIBLE)
def test_pages_show_only_the_structures_in_scope(
    request, client, structure, other_structure, persona
):
    client.force_login(request.getfixturevalue(persona))
    listing = client.get("/structures/").content.decode()
    sees_37, sees_33 = VISIBLE[persona]
    assert (structure.name in listing) is sees_37
    assert (other_structure.name in listing) is sees_33
    assert client.get(f"/structures/{structure.pk}/").status_code == (200 if sees_37 else 404)
    assert client.get(f"/structures/{other_structure.pk}/").status_code == (200 if sees_33 else 404)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anct", 200),
        ("gestionnaire", 200),
        ("colleague", 403),
        ("prefecture_37", 403),
        ("outsider", 404),
    ],
)
def test_only_anct_and_the_manager_update_a_structure(request, client, structure, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.patch(
        f"/api/structures/{structure.pk}/",
        {"contact_phone": "0247000000"},
        content_type="application/json",
    )
    assert response.status_code == status
    structure.refresh_from_db()
    assert (structure.contact_phone == "0247000000") is (status == 200)


def test_api_returns_the_abilities_the_ui_relies_on(client, structure, colleague):
    client.force_login(colleague)
    body = client.get(f"/api/structures/{structure.pk}/").json()
    assert body["abilities"] == {
        "view": True,
        "update": False,
        "change_identity": False,
        "manage_members": False,
        "invite_manager": False,
    }


def test_a_person_without_any_role_sees_no_structure(client, structure, other_structure):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/api/structures/").json()["count"] == 0
    assert client.get(f"/structures/{structure.pk}/").status_code == 404


def test_team_is_shown_to_the_manager_not_to_an_aidant(client, structure, gestionnaire, colleague):
    client.force_login(gestionnaire)
    assert "Équipe" in client.get(f"/structures/{structure.pk}/").content.decode()
    client.force_login(colleague)
    assert "Équipe" not in client.get(f"/structures/{structure.pk}/").content.decode()


def test_anonymous_pages_redirect_to_login(client, structure):
    response = client.get("/structures/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
