import pytest
from django.core.exceptions import ValidationError

from mandats import services
from mandats.models import JournalAction, JournalEntry
from tests.factories import MembershipFactory
from tests.mandats.factories import MandatFactory


def test_anct_staff_transfer_a_mandate_and_it_is_journaled(mandat, anct, other_organisation):
    origin = mandat.organisation

    services.mandat_transfer(mandat=mandat, to_organisation=other_organisation.structure, by=anct)

    mandat.refresh_from_db()
    assert mandat.organisation == other_organisation.structure
    entry = JournalEntry.objects.get()
    assert entry.action == JournalAction.MANDAT_TRANSFERRED
    assert entry.details == {"from_organisation_id": origin.pk}


def test_a_referent_of_both_organisations_may_transfer(mandat, referent, other_organisation):
    MembershipFactory(user=referent, structure=other_organisation.structure, role="referent")

    services.mandat_transfer(
        mandat=mandat, to_organisation=other_organisation.structure, by=referent
    )


def test_refuses_a_transfer_that_would_duplicate_an_active_autorisation(
    mandat, anct, other_organisation
):
    MandatFactory(
        organisation=other_organisation.structure, usager=mandat.usager, demarches=["social"]
    )

    with pytest.raises(ValidationError, match="déjà"):
        services.mandat_transfer(
            mandat=mandat, to_organisation=other_organisation.structure, by=anct
        )


def test_refuses_an_organisation_that_is_not_habilitated(mandat, anct, other_structure):
    with pytest.raises(ValidationError, match="pas habilitée"):
        services.mandat_transfer(mandat=mandat, to_organisation=other_structure, by=anct)
