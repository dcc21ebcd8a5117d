import factory

from conseillers.amendments.models import (
    AmendmentKind,
    AmendmentRequest,
    AmendmentState,
    GiveBackMotive,
)
from tests.factories import StructureFactory, UserFactory


class AmendmentRequestFactory(factory.django.DjangoModelFactory):
    """A request in any state, written directly: tests of transitions go through services."""

    class Meta:
        model = AmendmentRequest

    structure = factory.SubFactory(StructureFactory)
    kind = AmendmentKind.GIVE_BACK
    posts = 1
    motive = GiveBackMotive.RECRUITMENT
    posts_before = 3
    state = AmendmentState.PENDING
    requested_by = factory.SubFactory(UserFactory)
    refusal_motive = factory.Maybe(
        factory.LazyAttribute(lambda o: o.state == AmendmentState.REFUSED),
        "Le département a d'autres priorités.",
        "",
    )
