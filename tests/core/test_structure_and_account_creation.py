"""The resources a newcomer needs before applying: ANCT creates structures (SIRET checked, a
duplicate refused with a link to the existing one) and accounts with their role and scope, a
manager invites a colleague; the person receives a single-use link to choose a password. Pages
and API, with the same rights and French errors."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Membership, OutboxMessage, PrefectureAgent, Role, Structure, User
from core.services import account_create, structure_create, structure_invite_manager
from core.tasks import send_account_welcome_email
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

# Valid SIRET (Luhn) of no demo structure.
SIRET = "13002603200016"
STRUCTURE = {
    "siret": SIRET,
    "name": "Médiathèque de Chinon",
    "type": "commune",
    "departement": "37",
    "address": "",
    "contact_email": "",
    "contact_phone": "",
    "zrr": True,
    "qpv": False,
    "france_services": False,
}


def deliver_welcome(user: User) -> str:
    """Runs the outbox row the service wrote, as the worker would, and returns the email."""
    row = OutboxMessage.objects.get(task_name="core.tasks.send_account_welcome_email")
    assert row.args[0] == user.pk
    send_account_welcome_email(*row.args)
    return mail.outbox[-1].body


def link_in(body: str) -> str:
    found = re.search(r"https?://\S+/mot-de-passe/nouveau/\S+/", body)
    assert found, body
    return "/" + found.group(0).split("://", 1)[1].split("/", 1)[1]


def test_anct_creates_a_structure_through_the_api(client, anct):
    client.force_login(anct)
    response = client.post("/api/structures/", STRUCTURE, content_type="application/json")

    assert response.status_code == 201, response.json()
    structure = Structure.objects.get(siret=SIRET)
    assert response.json()["id"] == structure.pk and structure.zrr


def test_a_duplicate_siret_is_refused_with_a_link_to_the_existing_structure(client, anct):
    existing = StructureFactory(siret=SIRET, departement_id="37")
    client.force_login(anct)

    response = client.post("/api/structures/", STRUCTURE, content_type="application/json")

    assert response.status_code == 400
    message = response.json()["details"]["siret"][0]
    assert f"/api/structures/{existing.pk}/" in message and existing.name in message
    page = client.post("/structures/nouvelle/", STRUCTURE)
    assert page.status_code == 400
    assert f'<a href="/structures/{existing.pk}/">{existing.name}' in page.content.decode()


def test_an_invalid_siret_is_refused_in_french(anct):
    with pytest.raises(ValidationError) as refused:
        structure_create(by=anct, **{**STRUCTURE, "siret": "13002603200017", "departement": _d()})
    assert "siret" in refused.value.message_dict


def _d():
    from core.models import Departement

    return Departement.objects.get(code="37")


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37", "outsider"])
def test_only_anct_creates_structures_and_accounts(request, client, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        structure_create(by=user, **{**STRUCTURE, "departement": _d()})
    with pytest.raises(PermissionDenied):
        account_create(by=user, email="x@example.fr", first_name="X", last_name="Y", role="anct")
    client.force_login(user)
    for url, body in [("/api/structures/", STRUCTURE), ("/api/comptes/", {"role": "anct"})]:
        response = client.post(url, body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert client.get("/structures/nouvelle/").status_code == 403
    assert client.get("/comptes/nouveau/").status_code == 403


def test_anct_creates_a_prefecture_account_who_chooses_a_password_once(client, anct):
    client.force_login(anct)
    response = client.post(
        "/api/comptes/",
        {
            "email": "agent@indre-et-loire.gouv.fr",
            "first_name": "Camille",
            "last_name": "Durand",
            "role": "prefecture",
            "departement": "37",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    user = User.objects.get(email="agent@indre-et-loire.gouv.fr")
    assert response.json()["roles"] == ["prefecture"]
    assert PrefectureAgent.objects.get(user=user).departement_id == "37"
    assert not user.has_usable_password()

    link = link_in(deliver_welcome(user))
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = {
        "new_password1": "Un-mot-de-passe-solide-37",
        "new_password2": "Un-mot-de-passe-solide-37",
    }
    client.post(form.redirect_chain[-1][0], new)
    user.refresh_from_db()
    assert user.check_password("Un-mot-de-passe-solide-37")
    # Single use: the link no longer opens the form.
    again = client.get(link, follow=True)
    assert "new_password1" not in again.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "prefecture"}, "departement"),
        ({"role": "prefecture", "departement": "37", "region": "24"}, "departement"),
        ({"role": "gestionnaire"}, "structure"),
        ({"role": "anct", "departement": "37"}, "departement"),
        ({"role": "aidant"}, "role"),
    ],
)
def test_an_account_needs_the_scope_of_its_role(client, anct, body, field):
    client.force_login(anct)
    base = {"email": "new@example.fr", "first_name": "A", "last_name": "B"}
    response = client.post("/api/comptes/", {**base, **body}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["details"]
    assert not User.objects.filter(email="new@example.fr").exists()


def test_an_email_already_used_is_refused(client, anct, gestionnaire):
    client.force_login(anct)
    body = {"email": gestionnaire.email, "first_name": "A", "last_name": "B", "role": "anct"}
    response = client.post("/api/comptes/", body, content_type="application/json")
    assert "Un compte existe déjà" in response.json()["details"]["email"][0]


def test_a_manager_invites_a_colleague_who_becomes_manager(client, structure, gestionnaire):
    client.force_login(gestionnaire)
    body = {"email": "collegue@tours.fr", "first_name": "Lou", "last_name": "Martin"}

    response = client.post(
        f"/api/structures/{structure.pk}/inviter/", body, content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    colleague = User.objects.get(email="collegue@tours.fr")
    assert Membership.objects.filter(
        user=colleague, structure=structure, role=Role.GESTIONNAIRE
    ).exists()
    email = deliver_welcome(colleague)
    assert structure.name in email and "/mot-de-passe/nouveau/" in email
    again = client.post(
        f"/api/structures/{structure.pk}/inviter/", body, content_type="application/json"
    )
    assert "gère déjà la structure" in again.json()["details"]["email"][0]


def test_inviting_an_existing_address_tells_nothing_of_its_other_roles(
    client, structure, gestionnaire, anct
):
    client.force_login(gestionnaire)
    body = {"email": anct.email, "first_name": "A", "last_name": "B"}

    response = client.post(
        f"/api/structures/{structure.pk}/inviter/", body, content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json() == {
        "email": anct.email,
        "structure": structure.pk,
        "role": "gestionnaire",
    }


def test_an_existing_account_is_added_without_a_password_link(structure, gestionnaire, outsider):
    structure_invite_manager(
        structure=structure, email=outsider.email, first_name="", last_name="", by=gestionnaire
    )
    assert Membership.objects.filter(
        user=outsider, structure=structure, role=Role.GESTIONNAIRE
    ).exists()
    assert "/mot-de-passe/nouveau/" not in deliver_welcome(outsider)


@pytest.mark.parametrize(("persona", "status"), [("colleague", 403), ("outsider", 404)])
def test_who_cannot_invite(request, client, structure, persona, status):
    client.force_login(request.getfixturevalue(persona))
    body = {"email": "x@example.fr", "first_name": "A", "last_name": "B"}
    response = client.post(
        f"/api/structures/{structure.pk}/inviter/", body, content_type="application/json"
    )
    assert response.status_code == status
    assert client.get(f"/structures/{structure.pk}/inviter/").status_code == status


def test_the_pages_create_and_invite(client, anct, structure, gestionnaire):
    client.force_login(anct)
    assert "/structures/nouvelle/" in client.get("/structures/").content.decode()
    created = client.post("/structures/nouvelle/", STRUCTURE, follow=True)
    assert "La structure Médiathèque de Chinon est créée." in created.content.decode()
    account = client.post(
        "/comptes/nouveau/",
        {"email": "n@anct.gouv.fr", "first_name": "N", "last_name": "A", "role": "anct"},
        follow=True,
    )
    assert "Le compte de n@anct.gouv.fr est créé" in account.content.decode()
    assert User.objects.get(email="n@anct.gouv.fr").is_anct

    client.force_login(gestionnaire)
    detail = client.get(f"/structures/{structure.pk}/").content.decode()
    assert f"/structures/{structure.pk}/inviter/" in detail
    invited = client.post(
        f"/structures/{structure.pk}/inviter/",
        {"email": "c@tours.fr", "first_name": "C", "last_name": "T"},
        follow=True,
    )
    assert "c@tours.fr gère désormais" in invited.content.decode()


LONG_EMAIL = "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "fr"  # 311 characters: valid, too long


def test_an_email_longer_than_the_column_is_refused_in_french(
    client, anct, structure, gestionnaire
):
    """Once a 500: the address passed the validator (320 characters) but not the column (254)."""
    body = {"email": LONG_EMAIL, "first_name": "A", "last_name": "B"}
    client.force_login(anct)
    created = client.post(
        "/api/comptes/", {**body, "role": "anct"}, content_type="application/json"
    )
    page = client.post("/comptes/nouveau/", {**body, "role": "anct"})
    client.force_login(gestionnaire)
    invited = client.post(
        f"/api/structures/{structure.pk}/inviter/", body, content_type="application/json"
    )
    invite_page = client.post(f"/structures/{structure.pk}/inviter/", body)

    for response in (created, invited):
        assert response.status_code == 400
        assert "au plus 254" in response.json()["details"]["email"][0]
    for response in (page, invite_page):
        assert response.status_code == 400
        assert "au plus 254" in response.context["form"].errors["email"][0]
    assert not User.objects.filter(email__startswith="aaaa").exists()
