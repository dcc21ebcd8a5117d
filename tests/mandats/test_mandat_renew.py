import pytest
from django.core.exceptions import PermissionDenied

from mandats import services
from mandats.models import JournalAction, JournalEntry, Mandat


def test_renewal_creates_a_new_mandate_for_the_same_usager_and_replaces_the_old(mandat, aidant):
    renewed = services.mandat_renew(
        mandat=mandat, demarches=["social", "argent"], duration="annee", by=aidant
    )

    assert renewed.pk != mandat.pk
    assert (renewed.usager, renewed.organisation, renewed.renewed_from) == (
        mandat.usager,
        mandat.organisation,
        mandat,
    )
    assert list(Mandat.objects.active()) == [renewed]
    actions = list(JournalEntry.objects.values_list("action", flat=True))
    assert actions.count(JournalAction.AUTORISATION_REVOKED) == 2
    assert JournalAction.MANDAT_RENEWED in actions
    assert JournalAction.USAGER_FRANCECONNECT not in actions
    renewal = JournalEntry.objects.get(action=JournalAction.MANDAT_RENEWED)
    assert renewal.details["renews_mandat_id"] == mandat.pk


def test_a_referent_who_is_not_aidant_cannot_renew(mandat, referent):
    with pytest.raises(PermissionDenied):
        services.mandat_renew(mandat=mandat, demarches=["social"], duration="jour", by=referent)
