"""The référent's team through the API: same abilities and services as the team page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from core.models import ApiToken, Membership
from mandats.models import JournalAction, JournalEntry
from tests.factories import MembershipFactory

User = get_user_model()


def team(organisation):
    return f"/api/aidants-connect/organisations/{organisation.pk}/aidants/"


def act(organisation, aidant, action):
    return f"{team(organisation)}{aidant.pk}/{action}/"


def token_client(client, user):
    _, raw = ApiToken.objects.create_token(user=user, name="test", ttl=timedelta(hours=1))
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {raw}"
    return client


def test_the_referent_lists_the_team_with_abilities(client, referent, aidant, organisation):
    response = token_client(client, referent).get(team(organisation))

    assert response.status_code == 200
    (row,) = response.json()
    assert row["id"] == aidant.pk and row["is_active"] is True
    assert row["last_activity"] is None
    assert row["abilities"] == {
        "deactivate": True,
        "reactivate": False,
        "remove": False,
        "associate_card": True,
    }


def test_the_referent_deactivates_then_reactivates_through_the_api(
    client, referent, aidant, organisation
):
    client = token_client(client, referent)

    response = client.post(act(organisation, aidant, "desactiver"))
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["abilities"]["reactivate"] is True

    response = client.post(act(organisation, aidant, "reactiver"))
    assert response.json()["is_active"] is True
    assert list(JournalEntry.objects.values_list("action", flat=True)) == [
        JournalAction.AIDANT_DEACTIVATED,
        JournalAction.AIDANT_REACTIVATED,
    ]


def test_a_refusal_is_a_400_in_french(client, referent, aidant, organisation):
    response = token_client(client, referent).post(act(organisation, aidant, "retirer"))

    assert response.status_code == 400
    assert "désactivez plutôt son compte" in response.json()["details"]["non_field_errors"][0]


def test_the_referent_removes_an_aidant_who_works_elsewhere(
    client, referent, aidant, organisation, other_organisation
):
    MembershipFactory(user=aidant, structure=other_organisation.structure, role="aidant")

    response = token_client(client, referent).post(act(organisation, aidant, "retirer"))

    assert response.status_code == 204
    assert not Membership.objects.filter(user=aidant, structure=organisation.structure).exists()


@pytest.mark.parametrize("persona", ["aidant", "outsider_aidant", "anct", "gestionnaire"])
def test_only_the_referent_reaches_the_team(client, request, persona, organisation, aidant):
    client = token_client(client, request.getfixturevalue(persona))

    assert client.get(team(organisation)).status_code == 403
    assert client.post(act(organisation, aidant, "desactiver")).status_code == 403
    aidant.refresh_from_db()
    assert aidant.is_active


def test_attack_a_password_session_without_the_second_factor_is_refused(
    client, referent, aidant, organisation
):
    client.force_login(referent)

    response = client.post(act(organisation, aidant, "desactiver"))

    assert response.status_code == 403
    assert "code à usage unique" in response.json()["message"]


def test_a_verified_session_is_accepted(verified_client, referent, aidant, organisation):
    assert verified_client(referent).get(team(organisation)).status_code == 200


def test_an_aidant_of_another_organisation_is_not_found(
    client, referent, organisation, outsider_aidant
):
    response = token_client(client, referent).post(act(organisation, outsider_aidant, "desactiver"))

    assert response.status_code == 404
    outsider_aidant.refresh_from_db()
    assert outsider_aidant.is_active


def test_anonymous_is_asked_to_authenticate(client, organisation):
    assert client.get(team(organisation)).status_code == 401
