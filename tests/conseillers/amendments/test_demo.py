"""The demo holds one amendment request that every role can act on."""

import io

import pytest
from django.core.management import call_command

from conseillers.amendments.models import AmendmentRequest, AmendmentState
from core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_pending_give_back_of_the_ville_de_tours(demo):
    call_command("load_demo", stdout=io.StringIO())  # loading twice writes nothing more

    amendment = AmendmentRequest.objects.get()
    assert amendment.structure.name == "Ville de Tours"
    assert (amendment.kind, amendment.posts, amendment.posts_before, amendment.state) == (
        "retrait",
        1,
        3,
        AmendmentState.PENDING,
    )
    abilities = {
        email: amendment.get_abilities(User.objects.get(email=email))
        for email in (
            "gestionnaire@demo.inclusion.gouv.fr",
            "prefecture37@demo.inclusion.gouv.fr",
            "anct@demo.inclusion.gouv.fr",
        )
    }
    assert abilities["gestionnaire@demo.inclusion.gouv.fr"]["cancel"]
    assert abilities["prefecture37@demo.inclusion.gouv.fr"]["give_opinion"]
    assert abilities["anct@demo.inclusion.gouv.fr"]["accept"]
