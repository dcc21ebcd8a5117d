import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conseillers import selectors, services
from conseillers.models import Envelope
from core.models import Departement
from tests.conseillers.factories import EnvelopeFactory

pytestmark = pytest.mark.django_db

NOT_ANCT = [
    "gestionnaire",
    "colleague",
    "outsider",
    "prefecture_37",
    "prefecture_region_centre",
    "prefecture_33",
]


def _history(code: str) -> list[int]:
    return list(
        Envelope.objects.filter(departement_id=code).order_by("pk").values_list("posts", flat=True)
    )


def test_anct_sets_a_departement_envelope_with_a_reason(anct):
    envelope = services.envelope_set(
        departement=Departement.objects.get(code="37"),
        posts=35,
        reason="Accord préalable initial",
        by=anct,
    )

    envelope.refresh_from_db()
    assert (envelope.departement_id, envelope.posts, envelope.reason, envelope.author) == (
        "37",
        35,
        "Accord préalable initial",
        anct,
    )
    assert selectors.envelopes_in_force() == {"37": 35}


@pytest.mark.parametrize("role", NOT_ANCT)
def test_only_anct_sets_an_envelope(request, role):
    with pytest.raises(PermissionDenied) as error:
        services.envelope_set(
            departement=Departement.objects.get(code="37"),
            posts=99,
            reason="Hausse",
            by=request.getfixturevalue(role),
        )

    assert str(error.value) == "Seule l'ANCT peut effectuer cette action."
    assert not Envelope.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_envelope_change_without_a_reason_is_refused_in_french(anct, reason):
    with pytest.raises(ValidationError) as error:
        services.envelope_set(
            departement=Departement.objects.get(code="37"), posts=35, reason=reason, by=anct
        )

    assert error.value.message_dict["reason"] == ["Indiquez le motif de ce changement d'enveloppe."]
    assert not Envelope.objects.exists()


def test_the_envelope_in_force_is_the_latest_row_and_every_change_is_kept(anct):
    gironde = Departement.objects.get(code="33")
    indre_et_loire = Departement.objects.get(code="37")
    for posts in (35, 40, 30):
        services.envelope_set(departement=indre_et_loire, posts=posts, reason="Révision", by=anct)
    services.envelope_set(departement=gironde, posts=60, reason="Initiale", by=anct)

    assert selectors.envelopes_in_force() == {"37": 30, "33": 60}
    assert _history("37") == [35, 40, 30]


def test_applying_an_allocation_writes_rows_only_for_the_departements_that_change(anct):
    EnvelopeFactory(departement_id="37", posts=35)
    EnvelopeFactory(departement_id="33", posts=60)

    written = services.envelopes_apply(
        allocation={"37": 35, "33": 64, "41": 12}, reason="Répartition Sainte-Laguë 2026", by=anct
    )

    assert [(e.departement_id, e.posts) for e in written] == [("33", 64), ("41", 12)]
    assert {(e.reason, e.author) for e in written} == {("Répartition Sainte-Laguë 2026", anct)}
    assert selectors.envelopes_in_force() == {"37": 35, "33": 64, "41": 12}
    assert _history("37") == [35]
    assert _history("33") == [60, 64]


def test_applying_an_unchanged_allocation_writes_nothing(anct):
    EnvelopeFactory(departement_id="37", posts=35)

    assert services.envelopes_apply(allocation={"37": 35}, reason="Sans effet", by=anct) == []
    assert Envelope.objects.count() == 1


def test_an_allocation_without_a_reason_is_refused(anct):
    EnvelopeFactory(departement_id="37", posts=35)

    with pytest.raises(ValidationError):
        services.envelopes_apply(allocation={"33": 60, "37": 36}, reason=" ", by=anct)

    assert _history("33") == []
    assert _history("37") == [35]


@pytest.mark.parametrize("role", NOT_ANCT)
def test_only_anct_applies_an_allocation(request, role):
    with pytest.raises(PermissionDenied):
        services.envelopes_apply(
            allocation={"37": 40}, reason="Hausse", by=request.getfixturevalue(role)
        )

    assert not Envelope.objects.exists()
