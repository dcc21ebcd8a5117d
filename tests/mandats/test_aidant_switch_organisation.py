import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mandats import services
from mandats.models import JournalAction, JournalEntry
from mandats.selectors import current_organisation
from tests.factories import MembershipFactory
from tests.mandats.factories import MandatFactory


@pytest.fixture
def second_organisation(aidant, other_organisation):
    MembershipFactory(user=aidant, structure=other_organisation.structure, role="aidant")
    return other_organisation


def test_switching_changes_the_current_organisation_and_is_journaled(
    aidant, organisation, second_organisation
):
    assert current_organisation(aidant) in (organisation.structure, second_organisation.structure)

    services.aidant_switch_organisation(organisation=second_organisation.structure, by=aidant)

    assert current_organisation(aidant) == second_organisation.structure
    entry = JournalEntry.objects.get()
    assert entry.action == JournalAction.ORGANISATION_SWITCHED
    assert (entry.actor, entry.organisation) == (aidant, second_organisation.structure)


def test_switching_to_the_current_organisation_writes_nothing(aidant, organisation):
    services.aidant_switch_organisation(organisation=organisation.structure, by=aidant)
    services.aidant_switch_organisation(organisation=organisation.structure, by=aidant)

    assert JournalEntry.objects.count() == 1


def test_an_organisation_left_since_is_no_longer_current(aidant, organisation, second_organisation):
    services.aidant_switch_organisation(organisation=second_organisation.structure, by=aidant)
    aidant.memberships.filter(structure=second_organisation.structure).delete()
    del aidant.scope

    assert current_organisation(aidant) == organisation.structure


def test_the_page_switches_and_the_usager_list_follows(
    verified_client, aidant, organisation, second_organisation
):
    ours = MandatFactory(organisation=organisation.structure)
    theirs = MandatFactory(organisation=second_organisation.structure)
    client = verified_client(aidant)
    page = client.get(reverse("mandats:organisation-switch"))
    assert 'for="id_organisation"' in page.content.decode()

    for target, expected in [(second_organisation, theirs), (organisation, ours)]:
        client.post(reverse("mandats:organisation-switch"), {"organisation": target.pk})
        listed = client.get(reverse("mandats:usager-list")).context["page"]
        assert [u.pk for u in listed] == [expected.usager_id]


def test_cannot_switch_to_an_organisation_one_does_not_belong_to(aidant, other_organisation):
    with pytest.raises(PermissionDenied):
        services.aidant_switch_organisation(organisation=other_organisation.structure, by=aidant)


def test_the_page_refuses_a_foreign_organisation(verified_client, aidant, other_organisation):
    response = verified_client(aidant).post(
        reverse("mandats:organisation-switch"), {"organisation": other_organisation.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not JournalEntry.objects.exists()
