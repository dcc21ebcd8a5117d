"""The référent runs the team: deactivate, reactivate, remove an aidant; see their last activity."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import ApiToken, Membership
from mandats import selectors, services
from mandats.models import AidantProfile, JournalAction, JournalEntry
from tests.factories import MembershipFactory, UserFactory
from tests.mandats.factories import TOTPDeviceFactory

User = get_user_model()


def team_url(organisation):
    return reverse("mandats:referent-team", args=[organisation.pk])


def action_url(organisation, aidant, action):
    return reverse("mandats:referent-aidant-action", args=[organisation.pk, aidant.pk, action])


def test_the_referent_deactivates_an_aidant_journaled_and_told_by_email(
    referent, aidant, organisation, mandat, django_capture_on_commit_callbacks
):
    ApiToken.objects.create_token(user=aidant, name="poste", ttl=timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        services.aidant_deactivate(aidant=aidant, organisation=organisation.structure, by=referent)

    aidant.refresh_from_db()
    assert not aidant.is_active
    assert not ApiToken.objects.filter(user=aidant).exists()
    # The mandates stay with the organisation.
    mandat.refresh_from_db()
    assert mandat.organisation_id == organisation.pk and mandat.is_active()
    entry = JournalEntry.objects.get(action=JournalAction.AIDANT_DEACTIVATED)
    assert (entry.actor, entry.organisation_id) == (referent, organisation.pk)
    assert entry.details == {"aidant_id": aidant.pk}
    (message,) = mail.outbox
    assert message.to == [aidant.email]
    assert message.subject == "Aidants Connect : votre compte est désactivé"
    assert "a désactivé votre compte" in message.body


def test_a_deactivated_aidant_can_no_longer_log_in_nor_act(
    client, referent, aidant, organisation, mandat
):
    aidant.set_password("un mot de passe solide 42")
    aidant.save()
    TOTPDeviceFactory(user=aidant)
    client.force_login(aidant)  # an open session before the deactivation

    services.aidant_deactivate(aidant=aidant, organisation=organisation.structure, by=referent)

    # The open session is gone, the password is refused, the token endpoint too.
    assert client.get(reverse("mandats:usager-list")).status_code == 302
    login = client.post(
        reverse("core:login"),
        {"username": aidant.email, "password": "un mot de passe solide 42"},
    )
    assert login.status_code == 200 and login.context["form"].errors
    response = client.post(
        reverse("api:token"),
        {
            "email": aidant.email,
            "password": "un mot de passe solide 42",
            "nom": "poste",
            "totp": "123456",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    # And no ability under the organisation's mandates.
    aidant = User.objects.get(pk=aidant.pk)
    assert mandat.get_abilities(aidant) == {
        "view": False,
        "use": False,
        "revoke": False,
        "renew": False,
    }


def test_the_referent_reactivates_the_account_as_it_was(
    referent, aidant, organisation, django_capture_on_commit_callbacks
):
    services.aidant_deactivate(aidant=aidant, organisation=organisation.structure, by=referent)
    with django_capture_on_commit_callbacks(execute=True):
        services.aidant_reactivate(aidant=aidant, organisation=organisation.structure, by=referent)

    aidant.refresh_from_db()
    assert aidant.is_active
    assert JournalEntry.objects.filter(action=JournalAction.AIDANT_REACTIVATED).count() == 1
    assert mail.outbox[-1].subject == "Aidants Connect : votre compte est réactivé"


def test_an_aidant_of_several_organisations_is_removed_not_deactivated(
    referent, aidant, organisation, other_organisation, django_capture_on_commit_callbacks
):
    MembershipFactory(user=aidant, structure=other_organisation.structure, role="aidant")
    AidantProfile.objects.create(user=aidant, current_organisation=organisation.structure)

    with pytest.raises(ValidationError, match="retirez-le de cette organisation"):
        services.aidant_deactivate(aidant=aidant, organisation=organisation.structure, by=referent)
    with django_capture_on_commit_callbacks(execute=True):
        services.aidant_remove_from_organisation(
            aidant=aidant, organisation=organisation.structure, by=referent
        )

    aidant.refresh_from_db()
    assert aidant.is_active
    assert list(Membership.objects.filter(user=aidant).values_list("structure_id", flat=True)) == [
        other_organisation.pk
    ]
    assert AidantProfile.objects.get(user=aidant).current_organisation is None
    entry = JournalEntry.objects.get(action=JournalAction.AIDANT_REMOVED)
    assert entry.organisation_id == organisation.pk
    assert "vous a retiré de l'organisation" in mail.outbox[-1].body


def test_an_aidant_of_one_organisation_is_deactivated_not_removed(referent, aidant, organisation):
    with pytest.raises(ValidationError, match="désactivez plutôt son compte"):
        services.aidant_remove_from_organisation(
            aidant=aidant, organisation=organisation.structure, by=referent
        )
    assert Membership.objects.filter(user=aidant).exists()


@pytest.mark.parametrize(
    "service",
    [
        services.aidant_deactivate,
        services.aidant_reactivate,
        services.aidant_remove_from_organisation,
    ],
)
@pytest.mark.parametrize("persona", ["aidant", "outsider_aidant", "anct", "gestionnaire"])
def test_only_the_referent_of_the_organisation_runs_the_team(
    request, service, persona, organisation, aidant
):
    other_aidant = MembershipFactory(structure=organisation.structure, role="aidant").user
    by = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        service(aidant=other_aidant, organisation=organisation.structure, by=by)


def test_attack_a_referent_cannot_act_on_an_aidant_of_another_organisation(
    referent, organisation, outsider_aidant
):
    with pytest.raises(ValidationError, match="n'est pas aidant de cette organisation"):
        services.aidant_deactivate(
            aidant=outsider_aidant, organisation=organisation.structure, by=referent
        )
    outsider_aidant.refresh_from_db()
    assert outsider_aidant.is_active


def test_attack_a_referent_cannot_deactivate_themselves(referent, organisation):
    MembershipFactory(user=referent, structure=organisation.structure, role="aidant")
    with pytest.raises(ValidationError, match="votre propre compte"):
        services.aidant_deactivate(
            aidant=referent, organisation=organisation.structure, by=referent
        )


@pytest.mark.parametrize(
    ("is_active", "service", "message"),
    [
        (False, services.aidant_deactivate, "déjà désactivé"),
        (True, services.aidant_reactivate, "déjà actif"),
    ],
)
def test_each_change_happens_once(referent, aidant, organisation, is_active, service, message):
    User.objects.filter(pk=aidant.pk).update(is_active=is_active)

    with pytest.raises(ValidationError, match=message):
        service(aidant=aidant, organisation=organisation.structure, by=referent)
    assert JournalEntry.objects.count() == 0


def test_the_team_shows_status_and_last_activity_in_one_query(
    referent, organisation, django_assert_num_queries
):
    aidants = [
        MembershipFactory(structure=organisation.structure, role="aidant").user for _ in range(4)
    ]
    now = timezone.now()
    User.objects.filter(pk=aidants[0].pk).update(last_login=now - timedelta(days=3))
    JournalEntry.log_aidant_login(aidant=aidants[0], organisation=organisation.structure)
    User.objects.filter(pk=aidants[1].pk).update(last_login=now - timedelta(days=2))
    User.objects.filter(pk=aidants[2].pk).update(is_active=False)
    # What the référent does to an aidant is not the aidant's activity.
    JournalEntry.log_aidant_reactivated(
        aidant=aidants[3], organisation=organisation.structure, by=referent
    )

    with django_assert_num_queries(1):
        rows = {m.user_id: m for m in selectors.organisation_aidants(organisation.structure)}

    assert rows[aidants[0].pk].last_activity >= now
    assert rows[aidants[1].pk].last_activity == now - timedelta(days=2)
    assert rows[aidants[3].pk].last_activity is None
    assert list(rows)[-1] == aidants[2].pk  # the deactivated last


def test_the_team_page_offers_the_allowed_action_per_aidant(
    verified_client, referent, aidant, organisation, other_organisation
):
    elsewhere = MembershipFactory(structure=organisation.structure, role="aidant").user
    MembershipFactory(user=elsewhere, structure=other_organisation.structure, role="gestionnaire")
    gone = MembershipFactory(structure=organisation.structure, role="aidant").user
    User.objects.filter(pk=gone.pk).update(is_active=False)

    response = verified_client(referent).get(team_url(organisation))

    html = response.content.decode()
    assert response.status_code == 200
    assert action_url(organisation, aidant, "desactiver") in html
    assert action_url(organisation, elsewhere, "retirer") in html
    assert action_url(organisation, elsewhere, "desactiver") not in html
    assert action_url(organisation, gone, "reactiver") in html
    assert "Désactivé" in html and "Jamais connecté" in html


def test_the_team_page_is_reached_from_the_referent_space(verified_client, referent, organisation):
    html = (
        verified_client(referent)
        .get(reverse("mandats:referent-organisation", args=[organisation.pk]))
        .content.decode()
    )
    assert team_url(organisation) in html


def test_the_confirmation_page_then_the_post_deactivate(
    verified_client, referent, aidant, organisation
):
    client = verified_client(referent)
    url = action_url(organisation, aidant, "desactiver")

    confirmation = client.get(url)
    assert "ne pourra plus se connecter" in confirmation.content.decode()
    response = client.post(url)

    assert response.status_code == 302 and response.url == team_url(organisation)
    aidant.refresh_from_db()
    assert not aidant.is_active


def test_a_refused_action_is_shown_on_the_confirmation_page(
    verified_client, referent, aidant, organisation
):
    response = verified_client(referent).post(action_url(organisation, aidant, "retirer"))

    assert response.status_code == 400
    assert "désactivez plutôt son compte" in response.content.decode()


@pytest.mark.parametrize("persona", ["aidant", "outsider_aidant"])
def test_the_team_pages_are_for_the_referent(verified_client, request, persona, organisation):
    client = verified_client(request.getfixturevalue(persona))
    other = MembershipFactory(structure=organisation.structure, role="aidant").user

    assert client.get(team_url(organisation)).status_code == 403
    assert client.post(action_url(organisation, other, "desactiver")).status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_an_unknown_action_or_a_stranger_is_not_found(
    verified_client, referent, organisation, outsider_aidant, aidant
):
    client = verified_client(referent)
    assert client.get(action_url(organisation, outsider_aidant, "desactiver")).status_code == 404
    assert client.get(action_url(organisation, aidant, "supprimer")).status_code == 404


def test_staff_accounts_are_left_to_the_anct(referent, organisation):
    agent = UserFactory(is_staff=True)
    MembershipFactory(user=agent, structure=organisation.structure, role="aidant")
    with pytest.raises(ValidationError, match="compte d'agent"):
        services.aidant_deactivate(aidant=agent, organisation=organisation.structure, by=referent)
