"""ANCT ends a contract through the API: the post is vacant and its subsidy suspended as after a
rupture; the replacement is recruited and validated through the API and the schedule carries
over the months already served."""

import pytest
from django.utils import timezone

from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import SubventionState
from tests.conseillers.api.helpers import post
from tests.conseillers.factories import CandidatFactory
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db

API = "/api/conseillers"


@pytest.fixture
def one_post(structure, gestionnaire, anct) -> Career:
    """A structure granted a single post: the replacement needs the post the first one left."""
    return Career(structure=structure, manager=gestionnaire, anct=anct, posts=1)


def subvention_of(client) -> dict:
    (subvention,) = client.get(f"{API}/subventions/").json()["results"]
    return subvention


def test_ending_a_contract_then_replacing_the_conseiller_carries_the_schedule_over(
    client, one_post, structure, gestionnaire, anct
):
    today = timezone.localdate()
    first = one_post.recruit(months_ago(7, today))
    client.force_login(anct)

    ended = post(client, f"{API}/mises-en-relation/{first.pk}/end/", {"reason": "Fin du CDD"})

    assert ended.status_code == 200, ended.content
    assert ended.json()["state"] == "terminee"
    suspended = subvention_of(client)
    assert suspended["state"] == SubventionState.VACANT
    assert suspended["months_carried"] == 7
    assert suspended["vacant_since"] == today.isoformat()

    client.force_login(gestionnaire)
    candidat = CandidatFactory(departements=[structure.departement])
    interest = post(client, f"{API}/candidats/{candidat.pk}/interest/", {"structure": structure.pk})
    assert interest.status_code == 200, interest.content
    match_id = interest.json()["id"]
    contract = {
        "contract_type": "cdi",
        "start_date": today.isoformat(),
        "gross_monthly_salary": "1900.00",
        "weekly_hours": "35",
    }
    recruited = post(client, f"{API}/mises-en-relation/{match_id}/recruit/", contract)
    assert recruited.status_code == 200, recruited.content

    client.force_login(anct)
    finalised = post(client, f"{API}/mises-en-relation/{match_id}/finalise/", {})

    assert finalised.status_code == 200, finalised.content
    resumed = subvention_of(client)
    assert resumed["id"] == suspended["id"]
    assert resumed["state"] == SubventionState.ACTIVE
    assert resumed["holder"] == match_id
    assert resumed["months_carried"] == 7
    assert resumed["ends_on"] == add_months(today, 24 - 7).isoformat()
