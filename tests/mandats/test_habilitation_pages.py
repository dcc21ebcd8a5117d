from django.urls import reverse

from mandats.models import HabilitationRequest, HabilitationStatus
from tests.mandats.factories import HabilitationRequestFactory, reload


def test_the_referent_submits_a_request_from_the_page(verified_client, referent, organisation):
    url = reverse("mandats:habilitation-request-new", args=[organisation.pk])
    client = verified_client(referent)
    assert 'for="id_email"' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "email": "claire@exemple.fr",
            "first_name": "Claire",
            "last_name": "Petit",
            "profession": "Médiatrice",
            "training_done": "on",
            "training_date": "2025-03-12",
        },
    )

    assert response.status_code == 302
    assert HabilitationRequest.objects.get().email == "claire@exemple.fr"


def test_a_training_without_date_is_refused(verified_client, referent, organisation):
    url = reverse("mandats:habilitation-request-new", args=[organisation.pk])

    response = verified_client(referent).post(
        url,
        {
            "email": "claire@exemple.fr",
            "first_name": "Claire",
            "last_name": "Petit",
            "profession": "Médiatrice",
            "training_done": "on",
        },
    )

    assert response.status_code == 200
    assert "Indiquez la date de la formation suivie." in response.content.decode()
    assert not HabilitationRequest.objects.exists()


def test_anct_staff_validate_and_refuse_from_their_page(client, anct, organisation, referent):
    first, second = HabilitationRequestFactory.create_batch(
        2, organisation=organisation, submitted_by=referent
    )
    client.force_login(anct)
    listing = client.get(reverse("mandats:habilitation-decisions")).content.decode()
    assert first.email in listing and second.email in listing

    client.post(reverse("mandats:habilitation-validate", args=[first.pk]))
    client.post(reverse("mandats:habilitation-refuse", args=[second.pk]), {"reason": "Doublon"})

    first = reload(first)
    second = reload(second)
    assert (first.status, second.status) == (
        HabilitationStatus.VALIDATED,
        HabilitationStatus.REFUSED,
    )


def test_the_decision_pages_are_for_anct_staff_only(verified_client, referent, organisation):
    pending = HabilitationRequestFactory(organisation=organisation, submitted_by=referent)
    client = verified_client(referent)

    assert client.get(reverse("mandats:habilitation-decisions")).status_code == 403
    assert (
        client.post(reverse("mandats:habilitation-validate", args=[pending.pk])).status_code == 403
    )


def test_refusing_asks_first_in_a_modal_holding_the_motive(client, anct, organisation, referent):
    pending = HabilitationRequestFactory(organisation=organisation, submitted_by=referent)
    url = reverse("mandats:habilitation-refuse", args=[pending.pk])
    client.force_login(anct)
    listing = client.get(reverse("mandats:habilitation-decisions")).content.decode()
    modal = listing[listing.index(f'<dialog id="confirmer-refuser-habilitation-{pending.pk}"') :]
    modal = modal[: modal.index("</dialog>")]
    assert f'action="{url}"' in modal
    assert 'name="reason"' in modal and "ne pourra plus être validée" in modal
    assert f'href="{url}"' in listing  # without JavaScript, its confirmation page

    page = client.get(url).content.decode()
    assert "ne pourra plus être validée" in page and 'name="reason"' in page
    assert reload(pending).status == HabilitationStatus.SUBMITTED


def test_a_refusal_without_motive_comes_back_with_the_error_next_to_it(
    client, anct, organisation, referent
):
    pending = HabilitationRequestFactory(organisation=organisation, submitted_by=referent)
    client.force_login(anct)

    response = client.post(reverse("mandats:habilitation-refuse", args=[pending.pk]), {})

    page = response.content.decode()
    assert response.status_code == 400
    assert "ne pourra plus être validée" in page
    assert 'id="id_reason-desc-error"' in page
    assert reload(pending).status == HabilitationStatus.SUBMITTED


def test_the_refusal_confirmation_is_for_anct_staff_only(verified_client, referent, organisation):
    pending = HabilitationRequestFactory(organisation=organisation, submitted_by=referent)
    client = verified_client(referent)
    url = reverse("mandats:habilitation-refuse", args=[pending.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Doublon"}).status_code == 403
    assert reload(pending).status == HabilitationStatus.SUBMITTED
