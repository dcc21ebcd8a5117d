import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mandats import services
from mandats.models import JournalAction, JournalEntry
from tests.mandats.factories import MandatFactory


def test_each_use_is_journaled(mandat, aidant):
    social = mandat.autorisations.get(demarche="social")

    services.autorisation_use(autorisation=social, by=aidant, service="caf.fr")
    services.autorisation_use(autorisation=social, by=aidant, service="caf.fr")

    uses = JournalEntry.objects.filter(action=JournalAction.AUTORISATION_USED)
    assert uses.count() == 2
    assert {(e.autorisation_id, e.demarche, e.details["service"]) for e in uses} == {
        (social.pk, "social", "caf.fr")
    }


def test_a_revoked_autorisation_cannot_be_used(mandat, aidant):
    social = mandat.autorisations.get(demarche="social")
    social.revoked_at = timezone.now()
    social.save()

    with pytest.raises(ValidationError, match="plus active"):
        services.autorisation_use(autorisation=social, by=aidant)


def test_an_expired_mandate_cannot_be_used(organisation, usager, aidant):
    expired = MandatFactory(organisation=organisation.structure, usager=usager, expired=True)

    with pytest.raises(ValidationError, match="plus active"):
        services.autorisation_use(autorisation=expired.autorisations.first(), by=aidant)


@pytest.mark.parametrize("persona", ["referent", "outsider_aidant"])
def test_only_an_aidant_of_the_organisation_uses_it(request, mandat, persona):
    with pytest.raises(PermissionDenied):
        services.autorisation_use(
            autorisation=mandat.autorisations.first(), by=request.getfixturevalue(persona)
        )
    assert not JournalEntry.objects.exists()
