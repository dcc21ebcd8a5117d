from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from mandats import services
from mandats.models import (
    Autorisation,
    Demarche,
    JournalAction,
    JournalEntry,
    Mandat,
    MandatDuration,
)
from tests.factories import MembershipFactory
from tests.mandats.factories import MandatFactory


def create(organisation, usager, aidant, demarches=("social", "argent"), duration="semestre"):
    return services.mandat_create(
        organisation=organisation.structure,
        usager=usager,
        demarches=list(demarches),
        duration=duration,
        by=aidant,
    )


def test_creates_the_mandate_with_one_autorisation_per_demarche(organisation, usager, aidant):
    mandat = create(organisation, usager, aidant, demarches=["social", "argent", "social"])

    assert mandat.organisation == organisation.structure
    assert mandat.usager == usager
    assert mandat.duration == MandatDuration.SIX_MONTHS
    assert mandat.expires_at - mandat.created_at == MandatDuration.SIX_MONTHS.delta
    assert sorted(mandat.autorisations.values_list("demarche", flat=True)) == ["argent", "social"]
    assert len(mandat.content_hash) == 64
    assert mandat.legal_text_version
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_revokes_the_older_autorisation_for_the_same_usager_organisation_and_demarche(
    organisation, usager, aidant
):
    older = MandatFactory(organisation=organisation.structure, usager=usager, demarches=["social"])
    untouched = MandatFactory(
        organisation=organisation.structure, usager=usager, demarches=["logement"]
    )

    create(organisation, usager, aidant, demarches=["social"])

    replaced = older.autorisations.get()
    assert replaced.revoked_at is not None
    assert replaced.revoked_by == aidant
    assert untouched.autorisations.get().revoked_at is None
    assert not Mandat.objects.active().filter(pk=older.pk).exists()


def test_keeps_autorisations_of_the_usager_in_another_organisation(
    organisation, other_organisation, usager, aidant
):
    elsewhere = MandatFactory(
        organisation=other_organisation.structure, usager=usager, demarches=["social"]
    )

    create(organisation, usager, aidant, demarches=["social"])

    assert elsewhere.autorisations.get().revoked_at is None


def test_writes_the_journal(organisation, usager, aidant):
    older = MandatFactory(organisation=organisation.structure, usager=usager, demarches=["social"])

    mandat = create(organisation, usager, aidant, demarches=["social", "argent"])

    entries = list(JournalEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == [
        JournalAction.AUTORISATION_REVOKED,
        JournalAction.MANDAT_CREATED,
        JournalAction.AUTORISATION_CREATED,
        JournalAction.AUTORISATION_CREATED,
    ]
    assert entries[0].mandat_id == older.pk
    created = entries[1]
    assert created.actor == aidant
    assert created.organisation == organisation.structure
    assert created.mandat_id == mandat.pk
    assert created.usager_id == usager.pk
    assert created.usager_ref == usager.journal_ref
    assert created.details["demarches"] == ["argent", "social"]
    assert created.details["content_hash"] == mandat.content_hash
    assert [e.demarche for e in entries[2:]] == ["argent", "social"]
    # The journal never copies the usager's identity.
    assert usager.family_name not in str(created.details)
    assert JournalEntry.objects.first_break() is None


def test_refuses_a_demarche_the_organisation_does_not_allow(organisation, usager, aidant):
    organisation.allowed_demarches = ["social"]
    organisation.save()

    with pytest.raises(ValidationError, match="n'autorise pas la démarche « Justice »"):
        create(organisation, usager, aidant, demarches=["social", "justice"])

    assert not Mandat.objects.exists()
    assert not JournalEntry.objects.exists()


def test_an_invalid_demarche_among_valid_ones_leaves_nothing(organisation, usager, aidant):
    older = MandatFactory(organisation=organisation.structure, usager=usager, demarches=["social"])

    with pytest.raises(ValidationError, match="Démarche inconnue : impots"):
        create(organisation, usager, aidant, demarches=["social", "impots", "argent"])

    assert list(Mandat.objects.all()) == [older]
    assert older.autorisations.get().revoked_at is None
    assert not JournalEntry.objects.exists()


def test_a_failure_in_the_middle_rolls_everything_back(organisation, usager, aidant):
    older = MandatFactory(organisation=organisation.structure, usager=usager, demarches=["social"])
    real_log = JournalEntry.log_autorisation_created
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise IntegrityError("panne simulée")
        return real_log(**kwargs)

    with (
        mock.patch.object(JournalEntry, "log_autorisation_created", side_effect=fail_on_second),
        pytest.raises(IntegrityError),
    ):
        create(organisation, usager, aidant, demarches=["social", "argent"])

    assert len(calls) == 2
    assert list(Mandat.objects.all()) == [older]
    assert Autorisation.objects.count() == 1
    assert older.autorisations.get().revoked_at is None
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("duration", ["", "2_ans", "semaine"])
def test_refuses_an_unknown_duration(organisation, usager, aidant, duration):
    with pytest.raises(ValidationError, match="durée"):
        create(organisation, usager, aidant, duration=duration)
    assert not Mandat.objects.exists()


def test_refuses_no_demarche(organisation, usager, aidant):
    with pytest.raises(ValidationError, match="au moins une démarche"):
        create(organisation, usager, aidant, demarches=[])


@pytest.mark.parametrize("role", ["referent", "gestionnaire"])
def test_only_an_aidant_of_the_organisation_signs(organisation, usager, role):
    someone = MembershipFactory(structure=organisation.structure, role=role).user

    with pytest.raises(PermissionDenied):
        create(organisation, usager, someone)


def test_refuses_an_organisation_that_is_not_habilitated(structure, usager):
    aidant = MembershipFactory(structure=structure, role="aidant").user

    with pytest.raises(ValidationError, match="n'est pas habilitée"):
        services.mandat_create(
            organisation=structure,
            usager=usager,
            demarches=[Demarche.SOCIAL],
            duration=MandatDuration.ONE_DAY,
            by=aidant,
        )
