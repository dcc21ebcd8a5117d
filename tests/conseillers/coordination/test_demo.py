"""The demo holds one coordinator leading three conseillers in two structures."""

import io

import pytest
from django.core.management import call_command

from conseillers.coordination import selectors
from conseillers.coordination.models import Coordination
from conseillers.models import Post, PostKind
from core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_coordinator_leads_three_conseillers_in_two_structures(demo):
    sacha = User.objects.get(email="coordinateur@demo.inclusion.gouv.fr")
    lead = selectors.coordinator_of(sacha)
    assert lead is not None
    assert Post.objects.get(holder=lead).kind == PostKind.COORDINATOR
    group = list(selectors.group_of(lead))
    assert len(group) == 3
    assert len({row.conseiller.structure_id for row in group}) == 2


def test_loading_the_demo_twice_changes_nothing(demo):
    before = Coordination.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Coordination.objects.count() == before == 3
