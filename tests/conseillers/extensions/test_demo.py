"""The demo holds one extension: the Ville de Tours's pending request for Camille's CDD, a year
later than its end, for ANCT to decide; loading the demo again adds nothing."""

import pytest

from conseillers.extensions import demo as extensions_demo
from conseillers.extensions.models import ContractExtension, ExtensionTransition
from core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_holds_one_pending_request_written_through_the_service(demo):
    extension = ContractExtension.objects.get()
    assert extension.state == "demandee"
    assert extension.contract.match.candidat.email == extensions_demo.CAMILLE
    assert extension.requested_by.email == extensions_demo.MANAGER
    previous = extension.previous_end_date
    assert extension.requested_end_date == previous.replace(year=previous.year + 1)
    assert extension.contract.end_date == previous  # ANCT has not decided yet
    assert ExtensionTransition.objects.get().transition == "request"
    extensions_demo.load({user.email: user for user in User.objects.all()})
    assert ContractExtension.objects.count() == 1
