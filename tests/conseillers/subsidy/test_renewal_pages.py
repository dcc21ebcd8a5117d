"""The renewal's pages: the manager picks posts or declines, ANCT validates or refuses, each page
showing only what the renewal's abilities allow; the same refusals as the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conseillers.models import MatchState
from conseillers.subsidy.models import Convention, ConventionRenewal, RenewalState
from tests.conseillers.subsidy.helpers import Career, months_ago

pytestmark = pytest.mark.django_db
DECLINE = {"ne-pas-renouveler-reason": ""}


@pytest.fixture
def in_post(career: Career, today):
    return career.recruit(months_ago(20, today))


@pytest.fixture
def convention(career, in_post) -> Convention:
    return career.subvention(in_post).convention


def detail(convention) -> str:
    return reverse("conseillers:subsidy-renewal", args=[convention.pk])


def action(convention, slug: str) -> str:
    return reverse("conseillers:subsidy-renewal-action", args=[convention.pk, slug])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("gestionnaire", 200), ("prefecture_37", 200), ("anct", 200), ("outsider", 404)],
)
def test_who_reads_a_convention_renewal(client, request, convention, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail(convention)).status_code == status


def test_the_list_is_refused_without_a_role(client, colleague):
    client.force_login(colleague)
    assert client.get(reverse("conseillers:subsidy-renewals")).status_code == 403


def test_the_manager_picks_posts_then_anct_validates(client, career, convention, in_post):
    client.force_login(career.manager)
    page = client.get(detail(convention)).content.decode()
    assert "Choisir les postes à renouveler" in page
    assert str(in_post.candidat) in page
    assert "Valider le renouvellement" not in page
    post_id = career.subvention(in_post).post_id
    response = client.post(
        reverse("conseillers:subsidy-renewal-initiate", args=[convention.pk]),
        {"renouveler-posts": [post_id]},
    )
    assert response.status_code == 302
    renewal = ConventionRenewal.objects.get(convention=convention)
    assert renewal.state == RenewalState.INITIATED

    client.force_login(career.anct)
    page = client.get(detail(convention)).content.decode()
    assert "Valider le renouvellement" in page and "Refuser le renouvellement" in page
    assert client.get(action(convention, "valider")).status_code == 200  # confirmation page
    response = client.post(action(convention, "valider"))
    assert response.status_code == 302
    assert ConventionRenewal.objects.get(pk=renewal.pk).state == RenewalState.VALIDATED
    assert Convention.objects.get(renews=convention).posts == 1
    listing = client.get(reverse("conseillers:subsidy-renewals")).content.decode()
    assert "Renouvellement validé" in listing


def test_initiating_without_a_post_is_refused_next_to_the_field(client, career, convention):
    client.force_login(career.manager)
    response = client.post(reverse("conseillers:subsidy-renewal-initiate", args=[convention.pk]))
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()


def test_refusing_asks_for_a_reason(client, career, convention, in_post):
    client.force_login(career.manager)
    client.post(
        reverse("conseillers:subsidy-renewal-initiate", args=[convention.pk]),
        {"renouveler-posts": [career.subvention(in_post).post_id]},
    )
    client.force_login(career.anct)
    assert client.post(action(convention, "refuser"), {"refuser-reason": ""}).status_code == 400
    response = client.post(action(convention, "refuser"), {"refuser-reason": "Hors priorités."})
    assert response.status_code == 302
    assert ConventionRenewal.objects.get(convention=convention).state == RenewalState.REFUSED


def test_declining_from_the_page(client, career, convention, in_post):
    client.force_login(career.manager)
    response = client.post(
        action(convention, "ne-pas-renouveler"), {"ne-pas-renouveler-reason": ""}
    )
    assert response.status_code == 302
    assert ConventionRenewal.objects.get(convention=convention).state == RenewalState.NOT_INTERESTED
    in_post.refresh_from_db()
    assert in_post.state == MatchState.FINALISED  # until its schedule ends


@pytest.mark.parametrize("persona", ["prefecture_37", "anct"])
def test_others_cannot_answer_for_the_structure(client, request, convention, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(action(convention, "ne-pas-renouveler")).status_code == 403
    response = client.post(
        action(convention, "ne-pas-renouveler"), {"ne-pas-renouveler-reason": ""}
    )
    assert response.status_code == 400
    assert ConventionRenewal.objects.filter(convention=convention).count() == 0


def test_the_manager_cannot_validate(client, career, convention):
    client.force_login(career.manager)
    assert client.get(action(convention, "valider")).status_code == 403
    assert client.post(action(convention, "valider")).status_code == 400
