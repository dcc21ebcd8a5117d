"""A mandate belongs to its organisation: an aidant (or référent) of organisation B never sees
nor acts on organisation A's mandates, on any page or service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mandats import services
from mandats.models import JournalEntry, Mandat
from tests.factories import MembershipFactory


@pytest.fixture
def outsider_referent(other_organisation):
    return MembershipFactory(structure=other_organisation.structure, role="referent").user


PAGES = [
    ("get", "mandats:usager-detail", lambda m: m.usager_id),
    ("get", "mandats:autorisation-revoke", lambda m: m.autorisations.first().pk),
    ("post", "mandats:autorisation-revoke", lambda m: m.autorisations.first().pk),
    ("get", "mandats:mandat-revoke", lambda m: m.pk),
    ("post", "mandats:mandat-revoke", lambda m: m.pk),
    ("get", "mandats:mandat-renew", lambda m: m.pk),
    ("post", "mandats:mandat-renew", lambda m: m.pk),
]


@pytest.mark.parametrize("persona", ["outsider_aidant", "outsider_referent"])
@pytest.mark.parametrize(
    ("method", "url_name", "arg"), PAGES, ids=[f"{m}-{u}" for m, u, _ in PAGES]
)
def test_pages_of_another_organisations_mandate_answer_404(
    request, verified_client, mandat, persona, method, url_name, arg
):
    client = verified_client(request.getfixturevalue(persona))

    response = getattr(client, method)(reverse(url_name, args=[arg(mandat)]))

    assert response.status_code == 404
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert not mandat.autorisations.filter(revoked_at__isnull=False).exists()


def test_the_usager_list_does_not_show_another_organisations_usagers(
    verified_client, outsider_aidant, mandat
):
    response = verified_client(outsider_aidant).get(reverse("mandats:usager-list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == 0
    assert mandat.usager.family_name not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["mandats:referent-organisation", "mandats:habilitation-request-new"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_referent_pages_of_another_organisation_are_forbidden(
    verified_client, outsider_referent, organisation, url_name, method
):
    client = verified_client(outsider_referent)

    response = getattr(client, method)(reverse(url_name, args=[organisation.pk]))

    assert response.status_code == 403


SERVICES = {
    "autorisation_revoke": lambda m, o, by: services.autorisation_revoke(
        autorisation=m.autorisations.first(), by=by
    ),
    "autorisation_use": lambda m, o, by: services.autorisation_use(
        autorisation=m.autorisations.first(), by=by
    ),
    "mandat_revoke": lambda m, o, by: services.mandat_revoke(mandat=m, by=by),
    "mandat_renew": lambda m, o, by: services.mandat_renew(
        mandat=m, demarches=["social"], duration="jour", by=by
    ),
    "mandat_create": lambda m, o, by: services.mandat_create(
        organisation=o.structure, usager=m.usager, demarches=["social"], duration="jour", by=by
    ),
    "mandat_transfer": lambda m, o, by: services.mandat_transfer(
        mandat=m, to_organisation=by.memberships.first().structure, by=by
    ),
    "aidant_switch_organisation": lambda m, o, by: services.aidant_switch_organisation(
        organisation=o.structure, by=by
    ),
    "organisation_update_demarches": lambda m, o, by: services.organisation_update_demarches(
        organisation=o, demarches=["social"], by=by
    ),
    "habilitation_request_submit": lambda m, o, by: services.habilitation_request_submit(
        organisation=o,
        email="intrus@exemple.fr",
        first_name="In",
        last_name="Trus",
        profession="Médiateur",
        training_done=False,
        training_date=None,
        pix_passed=False,
        by=by,
    ),
}


@pytest.mark.parametrize("persona", ["outsider_aidant", "outsider_referent"])
@pytest.mark.parametrize("service", SERVICES.values(), ids=SERVICES.keys())
def test_services_refuse_another_organisations_mandate(
    request, mandat, organisation, persona, service
):
    outsider = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        service(mandat, organisation, outsider)

    mandat.refresh_from_db()
    assert mandat.organisation == organisation.structure
    assert list(Mandat.objects.all()) == [mandat]
    assert organisation.habilitation_requests.count() == 0
    assert not JournalEntry.objects.exists()
