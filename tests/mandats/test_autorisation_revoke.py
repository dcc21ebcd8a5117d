import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mandats import services
from mandats.models import JournalAction, JournalEntry, Mandat
from tests.mandats.factories import MandatFactory


def test_revokes_one_autorisation_and_journals_it(mandat, aidant):
    social = mandat.autorisations.get(demarche="social")

    services.autorisation_revoke(autorisation=social, by=aidant)

    social.refresh_from_db()
    assert social.revoked_at is not None
    assert social.revoked_by == aidant
    entry = JournalEntry.objects.get()
    assert entry.action == JournalAction.AUTORISATION_REVOKED
    assert (entry.autorisation_id, entry.demarche, entry.actor) == (social.pk, "social", aidant)


def test_the_mandate_stays_active_while_another_autorisation_is_unrevoked(mandat, aidant):
    services.autorisation_revoke(
        autorisation=mandat.autorisations.get(demarche="social"), by=aidant
    )

    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_revoking_twice_is_refused_and_journaled_once(mandat, aidant):
    social = mandat.autorisations.get(demarche="social")
    services.autorisation_revoke(autorisation=social, by=aidant)

    with pytest.raises(ValidationError, match="déjà révoquée"):
        services.autorisation_revoke(autorisation=social, by=aidant)

    assert JournalEntry.objects.count() == 1


def test_an_expired_autorisation_cannot_be_revoked(organisation, usager, aidant):
    expired = MandatFactory(organisation=organisation.structure, usager=usager, expired=True)

    with pytest.raises(ValidationError, match="expirée"):
        services.autorisation_revoke(autorisation=expired.autorisations.first(), by=aidant)


def test_the_referent_may_revoke(mandat, referent):
    services.autorisation_revoke(autorisation=mandat.autorisations.first(), by=referent)


def test_a_gestionnaire_may_not_revoke(mandat, gestionnaire):
    with pytest.raises(PermissionDenied):
        services.autorisation_revoke(autorisation=mandat.autorisations.first(), by=gestionnaire)
