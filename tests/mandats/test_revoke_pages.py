"""The revocation pages: a confirmation on GET, the revocation on POST (with CSRF)."""

import pytest
from django.urls import reverse

from mandats.models import JournalAction, JournalEntry, Mandat


def test_the_usager_page_shows_mandates_and_autorisations_with_their_actions(
    verified_client, aidant, mandat
):
    response = verified_client(aidant).get(
        reverse("mandats:usager-detail", args=[mandat.usager_id])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stéphane Louis Perceval DUPONT" in html
    assert "Social - Santé" in html and "Argent - Impôts - Consommation" in html
    for autorisation in mandat.autorisations.all():
        assert reverse("mandats:autorisation-revoke", args=[autorisation.pk]) in html
    assert reverse("mandats:mandat-revoke", args=[mandat.pk]) in html
    assert reverse("mandats:mandat-renew", args=[mandat.pk]) in html


def test_the_referent_sees_revocation_but_not_renewal(verified_client, referent, mandat):
    html = (
        verified_client(referent)
        .get(reverse("mandats:usager-detail", args=[mandat.usager_id]))
        .content.decode()
    )

    assert reverse("mandats:mandat-revoke", args=[mandat.pk]) in html
    assert reverse("mandats:mandat-renew", args=[mandat.pk]) not in html


def test_revoking_an_autorisation_asks_for_confirmation_then_revokes(
    verified_client, aidant, mandat
):
    client = verified_client(aidant)
    social = mandat.autorisations.get(demarche="social")
    url = reverse("mandats:autorisation-revoke", args=[social.pk])

    assert client.get(url).status_code == 200
    assert social.revoked_at is None

    response = client.post(url, follow=True)

    social.refresh_from_db()
    assert social.revoked_at is not None
    assert "L&#x27;autorisation « Social - Santé » est révoquée." in response.content.decode()
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_revoking_an_already_revoked_autorisation_shows_an_error(verified_client, aidant, mandat):
    client = verified_client(aidant)
    url = reverse("mandats:autorisation-revoke", args=[mandat.autorisations.first().pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert "déjà révoquée ou expirée" in response.content.decode()
    assert JournalEntry.objects.filter(action=JournalAction.AUTORISATION_REVOKED).count() == 1


def test_revoking_a_mandate(verified_client, aidant, mandat):
    response = verified_client(aidant).post(reverse("mandats:mandat-revoke", args=[mandat.pk]))

    assert response.status_code == 302
    assert not Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert JournalEntry.objects.filter(action=JournalAction.MANDAT_REVOKED).count() == 1


@pytest.mark.parametrize("url_name", ["mandats:autorisation-revoke", "mandats:mandat-revoke"])
def test_a_post_without_csrf_token_is_refused(aidant, mandat, url_name, verified_client):
    client = verified_client(aidant)
    client.handler.enforce_csrf_checks = True
    arg = mandat.autorisations.first().pk if "autorisation" in url_name else mandat.pk

    response = client.post(reverse(url_name, args=[arg]))

    assert response.status_code == 403
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert not mandat.autorisations.filter(revoked_at__isnull=False).exists()


def test_the_usager_page_opens_each_revocation_in_a_modal(verified_client, aidant, mandat):
    """With JavaScript, a DSFR modal posts the revocation; without, a link to its GET page."""
    html = (
        verified_client(aidant)
        .get(reverse("mandats:usager-detail", args=[mandat.usager_id]))
        .content.decode()
    )
    actions = [(f"revoquer-mandat-{mandat.pk}", reverse("mandats:mandat-revoke", args=[mandat.pk]))]
    actions += [
        (
            f"revoquer-autorisation-{autorisation.pk}",
            reverse("mandats:autorisation-revoke", args=[autorisation.pk]),
        )
        for autorisation in mandat.autorisations.all()
    ]
    for modal_id, url in actions:
        modal = html[html.index(f'<dialog id="confirmer-{modal_id}"') :]
        modal = modal[: modal.index("</dialog>")]
        assert f'action="{url}"' in modal and 'name="csrfmiddlewaretoken"' in modal
        assert "sera révoquée" in modal or "seront révoquées" in modal
        assert f'href="{url}"' in html


@pytest.mark.parametrize(
    ("url_name", "words"),
    [
        ("mandats:mandat-revoke", "Toutes les autorisations encore actives du Mandat"),
        ("mandats:autorisation-revoke", "aucun aidant ne pourra plus l&#x27;utiliser"),
    ],
)
def test_the_confirmation_page_states_the_consequence_and_holds_the_form(
    verified_client, aidant, mandat, url_name, words
):
    arg = mandat.autorisations.first().pk if "autorisation" in url_name else mandat.pk
    html = verified_client(aidant).get(reverse(url_name, args=[arg])).content.decode()

    assert words in html
    assert '<form method="post" novalidate>' in html
    assert 'href="' + reverse("mandats:usager-detail", args=[mandat.usager_id]) + '"' in html
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert not mandat.autorisations.filter(revoked_at__isnull=False).exists()
