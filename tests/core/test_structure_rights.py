"""Field-level rights on structures: a gestionnaire keeps its contact fields up to date; the
identity (SIRET, département, type, territorial flags) changes only through ANCT's
structure_change_identity, with a reason, logged append-only. One table over every writable
field of the API serializer and of the page's form, against every role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from core.api.serializers import StructureSerializer
from core.forms import StructureForm
from core.models import Structure, StructureIdentityChange
from core.services import structure_change_identity
from tests.conseillers.factories import CandidatFactory
from tests.factories import CommuneFactory, UserFactory, valid_siret

pytestmark = pytest.mark.django_db

NEW_VALUES = {
    "address": "1 rue Neuve, 37000 Tours",
    "commune": "37261",
    "contact_email": "nouveau@exemple.fr",
    "contact_phone": "0247000000",
    "name": "Nouveau nom",
    "siret": valid_siret(9999),
    "type": "epci",
    "departement": "93",
    "zrr": True,
    "qpv": True,
    "france_services": True,
}
CONTACT = set(Structure.CONTACT_FIELDS)
REASON = "Transfert de siège constaté par l'INSEE"
# What each role gets when it changes (contact, identity) fields of the 37 structure.
API_OUTCOME = {
    "anct": (200, 200),
    "prefecture_37": (403, 403),
    "gestionnaire": (200, 400),
    "outsider": (404, 404),
    "colleague": (403, 403),
    "conseiller": (404, 404),
}
PAGE_OUTCOME = {
    "anct": (302, 302),
    "prefecture_37": (403, 403),
    "gestionnaire": (302, 200),
    "outsider": (404, 404),
    "colleague": (403, 403),
    "conseiller": (404, 404),
}


@pytest.fixture
def conseiller(db):
    return CandidatFactory(user=UserFactory()).user


def stored(structure: Structure, field: str):
    structure.refresh_from_db()
    if field in ("departement", "commune"):
        return getattr(structure, f"{field}_id")
    return getattr(structure, field)


@pytest.fixture(autouse=True)
def _tours(db):
    CommuneFactory()


def test_every_writable_field_is_classified():
    writable = {
        name for name, field in StructureSerializer().get_fields().items() if not field.read_only
    }
    form_fields = set(StructureForm._meta.fields)

    assert writable == set(NEW_VALUES) | {"motif"}
    assert form_fields == set(NEW_VALUES)
    assert CONTACT | set(Structure.IDENTITY_FIELDS) == set(NEW_VALUES)
    assert not CONTACT & set(Structure.IDENTITY_FIELDS)


@pytest.mark.parametrize("field", NEW_VALUES)
@pytest.mark.parametrize("persona", API_OUTCOME)
def test_api_patch_of_each_field_by_each_role(request, client, structure, persona, field):
    client.force_login(request.getfixturevalue(persona))
    before = stored(structure, field)

    response = client.patch(
        f"/api/structures/{structure.pk}/",
        {field: NEW_VALUES[field], "motif": REASON},
        content_type="application/json",
    )

    expected = API_OUTCOME[persona][0 if field in CONTACT else 1]
    assert response.status_code == expected
    assert stored(structure, field) == (NEW_VALUES[field] if expected == 200 else before)
    if expected == 400:
        message = response.json()["details"][field][0]
        assert message.startswith("Seule l'ANCT peut modifier l'identité d'une structure")
    logged = StructureIdentityChange.objects.filter(structure=structure).exists()
    assert logged is (expected == 200 and field not in CONTACT)


@pytest.mark.parametrize("field", NEW_VALUES)
@pytest.mark.parametrize("persona", PAGE_OUTCOME)
def test_page_form_of_each_field_by_each_role(request, client, structure, persona, field):
    client.force_login(request.getfixturevalue(persona))
    before = stored(structure, field)
    data = {
        f: stored(structure, f) for f in NEW_VALUES if f not in ("zrr", "qpv", "france_services")
    }
    data = {key: value for key, value in data.items() if value not in ("", None)}
    data.update({field: NEW_VALUES[field], "motif": REASON})

    response = client.post(f"/structures/{structure.pk}/modifier/", data)

    expected = PAGE_OUTCOME[persona][0 if field in CONTACT else 1]
    assert response.status_code == expected
    assert stored(structure, field) == (NEW_VALUES[field] if expected == 302 else before)
    if persona == "gestionnaire" and field not in CONTACT:
        errors = response.context["form"].non_field_errors()
        assert errors[0].startswith("Seule l'ANCT peut modifier l'identité d'une structure")


def test_attack_a_gestionnaire_moves_its_structure_to_the_93(client, structure, gestionnaire):
    """Today's main accepts it, and the structure's posts move to the 93's envelope."""
    client.force_login(gestionnaire)

    response = client.patch(
        f"/api/structures/{structure.pk}/",
        {"departement": "93", "zrr": True},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"departement", "zrr"}
    assert "département, ZRR" in response.json()["details"]["departement"][0]
    assert stored(structure, "departement") == "37"


def test_sending_the_identity_unchanged_is_not_a_change(client, structure, gestionnaire):
    client.force_login(gestionnaire)
    current = client.get(f"/api/structures/{structure.pk}/").json()
    current["contact_phone"] = "0247000001"

    response = client.put(
        f"/api/structures/{structure.pk}/", current, content_type="application/json"
    )

    assert response.status_code == 200
    assert stored(structure, "contact_phone") == "0247000001"


def test_anct_must_give_a_reason(client, structure, anct):
    client.force_login(anct)

    response = client.patch(
        f"/api/structures/{structure.pk}/", {"departement": "93"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"motif": ["Indiquez le motif du changement d'identité."]}
    assert stored(structure, "departement") == "37"


def test_the_identity_change_logs_who_when_what_and_why(structure, anct):
    entry = structure_change_identity(
        structure=structure, by=anct, reason=REASON, departement="93", zrr=True, qpv=False
    )

    assert entry.by == anct
    assert entry.reason == REASON
    assert entry.changes == {
        "departement": {"avant": "37", "apres": "93"},
        "zrr": {"avant": False, "apres": True},
    }
    assert structure.departement_id == "93"


@pytest.mark.parametrize("persona", ["gestionnaire", "prefecture_37", "colleague"])
def test_the_service_refuses_everyone_but_anct(request, structure, persona):
    with pytest.raises(PermissionDenied, match="Seule l'ANCT peut modifier"):
        structure_change_identity(
            structure=structure,
            by=request.getfixturevalue(persona),
            reason=REASON,
            departement="93",
        )
    assert not StructureIdentityChange.objects.exists()


def test_the_service_validates_the_siret_against_the_departement(structure, anct):
    with pytest.raises(ValidationError):
        structure_change_identity(structure=structure, by=anct, reason=REASON, siret="123")
    assert not StructureIdentityChange.objects.exists()


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_the_log_is_append_only_in_the_database(structure, anct, operation):
    structure_change_identity(structure=structure, by=anct, reason=REASON, departement="93")
    rows = StructureIdentityChange.objects.all()

    with pytest.raises(DatabaseError, match="en ajout seul"), transaction.atomic():
        rows.update(reason="Effacé") if operation == "update" else rows.delete()
