from django.urls import reverse

from tests.factories import MembershipFactory
from tests.mandats.factories import HabilitationRequestFactory, TOTPDeviceFactory


def test_lists_the_aidants_and_the_requests_of_the_organisation(
    verified_client, referent, aidant, organisation, other_organisation
):
    TOTPDeviceFactory(user=aidant)
    MembershipFactory(structure=other_organisation.structure, role="aidant")
    HabilitationRequestFactory(
        organisation=organisation, submitted_by=referent, email="en.attente@exemple.fr"
    )
    HabilitationRequestFactory(
        organisation=other_organisation, submitted_by=referent, email="ailleurs@exemple.fr"
    )

    response = verified_client(referent).get(
        reverse("mandats:referent-organisation", args=[organisation.pk])
    )

    assert response.status_code == 200
    assert [m.user for m in response.context["aidants"]] == [aidant]
    assert response.context["aidants"][0].has_totp
    html = response.content.decode()
    assert "en.attente@exemple.fr" in html and "ailleurs@exemple.fr" not in html


def test_the_referent_restricts_the_allowed_demarches(verified_client, referent, organisation):
    url = reverse("mandats:referent-organisation", args=[organisation.pk])

    response = verified_client(referent).post(url, {"demarches": ["social", "logement"]})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.allowed_demarches == ["logement", "social"]


def test_at_least_one_demarche_stays_allowed(verified_client, referent, organisation):
    url = reverse("mandats:referent-organisation", args=[organisation.pk])

    response = verified_client(referent).post(url, {})

    assert "Choisissez au moins une démarche." in response.content.decode()
    organisation.refresh_from_db()
    assert len(organisation.allowed_demarches) == 10


def test_the_referent_space_is_for_referents(verified_client, aidant, organisation):
    client = verified_client(aidant)

    assert client.get(reverse("mandats:referent-index")).status_code == 403
    url = reverse("mandats:referent-organisation", args=[organisation.pk])
    assert client.get(url).status_code == 403


def test_the_referent_index_opens_the_referents_organisation(
    verified_client, referent, organisation
):
    response = verified_client(referent).get(reverse("mandats:referent-index"))

    assert response.url == reverse("mandats:referent-organisation", args=[organisation.pk])
