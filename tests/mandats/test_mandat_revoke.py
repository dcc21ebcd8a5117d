import pytest
from django.core.exceptions import ValidationError

from mandats import services
from mandats.models import JournalAction, JournalEntry, Mandat


def test_revokes_every_active_autorisation_and_journals_each(mandat, aidant):
    mandat.autorisations.filter(demarche="social").update(revoked_at=mandat.created_at)

    services.mandat_revoke(mandat=mandat, by=aidant)

    assert not Mandat.objects.active().filter(pk=mandat.pk).exists()
    argent = mandat.autorisations.get(demarche="argent")
    assert argent.revoked_by == aidant
    # The autorisation revoked before keeps its own date.
    assert mandat.autorisations.get(demarche="social").revoked_at == mandat.created_at
    assert list(JournalEntry.objects.values_list("action", "demarche")) == [
        (JournalAction.AUTORISATION_REVOKED, "argent"),
        (JournalAction.MANDAT_REVOKED, ""),
    ]


def test_a_revoked_mandate_cannot_be_revoked_again(mandat, aidant):
    services.mandat_revoke(mandat=mandat, by=aidant)

    with pytest.raises(ValidationError, match="n'est plus actif"):
        services.mandat_revoke(mandat=mandat, by=aidant)
    assert JournalEntry.objects.filter(action=JournalAction.MANDAT_REVOKED).count() == 1
