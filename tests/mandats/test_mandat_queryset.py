"""Active or not is derived from dates and revocations, always at an explicit instant."""

import datetime

import pytest
from django.utils import timezone

from core.models import Role
from mandats.models import Autorisation, Mandat
from tests.factories import MembershipFactory, UserFactory
from tests.mandats.factories import MandatFactory

SIGNED = datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def one_month(organisation, usager):
    return MandatFactory(
        organisation=organisation.structure,
        usager=usager,
        duration="mois",
        created_at=SIGNED,
        demarches=["social", "argent"],
    )


@pytest.mark.parametrize(
    ("at", "active"),
    [
        (SIGNED + datetime.timedelta(days=1), True),
        (SIGNED + datetime.timedelta(days=31, seconds=-1), True),
        (SIGNED + datetime.timedelta(days=31), False),
        (SIGNED + datetime.timedelta(days=400), False),
    ],
)
def test_a_mandate_is_active_until_it_expires(one_month, at, active):
    assert one_month.expires_at == SIGNED + datetime.timedelta(days=31)
    assert Mandat.objects.active(at).filter(pk=one_month.pk).exists() is active
    assert one_month.is_active(at) is active
    assert Autorisation.objects.active(at).filter(mandat=one_month).count() == (2 if active else 0)


def test_revoking_one_autorisation_keeps_the_mandate_active(one_month):
    at = SIGNED + datetime.timedelta(days=2)
    one_month.autorisations.filter(demarche="social").update(revoked_at=SIGNED)

    assert Mandat.objects.active(at).filter(pk=one_month.pk).exists()
    assert list(Autorisation.objects.active(at).values_list("demarche", flat=True)) == ["argent"]


def test_revoking_every_autorisation_ends_the_mandate(one_month):
    at = SIGNED + datetime.timedelta(days=2)
    one_month.autorisations.update(revoked_at=SIGNED + datetime.timedelta(days=1))

    assert not Mandat.objects.active(at).exists()
    assert not one_month.is_active(at)


def test_active_mandates_are_listed_once_whatever_their_autorisations(organisation, usager):
    MandatFactory(
        organisation=organisation.structure,
        usager=usager,
        demarches=["social", "argent", "logement"],
    )
    assert Mandat.objects.active().count() == 1


def test_for_organisation_keeps_only_its_mandates(organisation, other_organisation, usager):
    ours = MandatFactory(organisation=organisation.structure, usager=usager)
    MandatFactory(organisation=other_organisation.structure, usager=usager)

    assert list(Mandat.objects.for_organisation(organisation.structure)) == [ours]
    assert list(Mandat.objects.for_organisation(organisation)) == [ours]


def test_ended_at_is_the_last_revocation_once_all_are_revoked(one_month):
    revoked = SIGNED + datetime.timedelta(days=3)
    one_month.autorisations.filter(demarche="social").update(revoked_at=revoked)
    assert Mandat.objects.with_end().get().ended_at == one_month.expires_at

    one_month.autorisations.filter(demarche="argent").update(revoked_at=revoked)
    assert Mandat.objects.with_end().get().ended_at == revoked


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.AIDANT, True),
        (Role.REFERENT, True),
        (Role.GESTIONNAIRE, False),
    ],
)
def test_visible_to_and_the_view_ability_agree(organisation, usager, role, visible):
    mandat = MandatFactory(organisation=organisation.structure, usager=usager)
    user = MembershipFactory(structure=organisation.structure, role=role).user

    assert Mandat.objects.visible_to(user).filter(pk=mandat.pk).exists() is visible
    assert mandat.get_abilities(user)["view"] is visible


def test_anct_staff_do_not_see_usagers_mandates(mandat):
    # The ANCT decides on habilitations; it has no need to read usagers' personal data.
    anct = UserFactory(is_anct=True)
    assert not Mandat.objects.visible_to(anct).exists()
    assert mandat.get_abilities(anct) == dict.fromkeys(mandat.get_abilities(anct), False)


def test_only_aidants_act_and_renew_under_a_mandate(mandat, aidant, referent):
    assert mandat.get_abilities(aidant) == {
        "view": True,
        "use": True,
        "revoke": True,
        "renew": True,
    }
    assert mandat.get_abilities(referent) == {
        "view": True,
        "use": False,
        "revoke": True,
        "renew": False,
    }


def test_an_expired_factory_mandate_is_not_active(organisation, usager):
    MandatFactory(organisation=organisation.structure, usager=usager, expired=True)
    assert not Mandat.objects.active(timezone.now()).exists()
