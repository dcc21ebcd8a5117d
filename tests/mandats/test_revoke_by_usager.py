"""The usager revokes in their own space: `by_usager` instead of an aidant's `by`."""

import pytest
from django.core.exceptions import PermissionDenied

from mandats import services
from mandats.models import JournalAction, JournalEntry, Mandat
from tests.mandats.factories import UsagerFactory


def test_the_usager_revokes_an_autorisation_of_their_own(mandat, usager):
    social = mandat.autorisations.get(demarche="social")

    services.autorisation_revoke(autorisation=social, by_usager=usager)

    social.refresh_from_db()
    assert social.revoked_at is not None and social.revoked_by is None
    entry = JournalEntry.objects.get()
    assert (entry.action, entry.actor, entry.usager_ref) == (
        JournalAction.AUTORISATION_REVOKED,
        None,
        usager.journal_ref,
    )


def test_the_usager_revokes_a_mandate_of_their_own(mandat, usager):
    services.mandat_revoke(mandat=mandat, by_usager=usager)

    assert not Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert JournalEntry.objects.filter(action=JournalAction.MANDAT_REVOKED, actor=None).count() == 1


def test_another_usager_may_not_revoke(mandat):
    stranger = UsagerFactory()

    with pytest.raises(PermissionDenied):
        services.mandat_revoke(mandat=mandat, by_usager=stranger)
    with pytest.raises(PermissionDenied):
        services.autorisation_revoke(autorisation=mandat.autorisations.first(), by_usager=stranger)
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("both", [True, False], ids=["les-deux", "aucun"])
def test_exactly_one_revoker_is_named(mandat, usager, aidant, both):
    revokers = {"by": aidant, "by_usager": usager} if both else {}

    with pytest.raises(TypeError):
        services.mandat_revoke(mandat=mandat, **revokers)
