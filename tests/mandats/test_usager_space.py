"""The usager space, once FranceConnect has let the usager in: their mandates only, revocation by
POST with CSRF, and a session that lasts fifteen minutes."""

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mandats.models import Autorisation, JournalAction, JournalEntry, Mandat
from mandats.views.usager_space import USAGER_SESSION_KEY
from tests.mandats.factories import MandatFactory, UsagerFactory

SPACE = reverse("mandats:usager-space")
LOGIN = reverse("mandats:usager-login")


def usager_client(usager, client=None, **changes) -> Client:
    client = client or Client()
    session = client.session
    session[USAGER_SESSION_KEY] = {
        "usager_id": usager.pk if usager else None,
        "name": usager.full_name if usager else "Mélaine TROIS",
        "id_token": "en-tete.charge-utile.signature",
        "expires_at": (timezone.now() + timezone.timedelta(minutes=15)).timestamp(),
        **changes,
    }
    session.save()
    return client


def revoke_autorisation_url(autorisation) -> str:
    return reverse("mandats:usager-autorisation-revoke", args=[autorisation.pk])


def revoke_mandat_url(mandat) -> str:
    return reverse("mandats:usager-mandat-revoke", args=[mandat.pk])


def test_without_franceconnect_the_space_sends_to_the_login_page(client, db):
    assert client.get(SPACE).url == LOGIN


def test_the_login_page_shows_the_franceconnect_button_in_a_form(client, db):
    page = client.get(LOGIN).content.decode()

    assert 'class="fr-connect"' in page
    assert f'<form method="post" action="{LOGIN}">' in page


def test_the_space_lists_current_and_past_mandates_with_their_organisation(
    mandat, usager, organisation, other_organisation
):
    MandatFactory(
        organisation=other_organisation.structure,
        usager=usager,
        expired=True,
        demarches=["justice"],
    )
    revoked = MandatFactory(
        organisation=organisation.structure, usager=usager, demarches=["famille"]
    )
    revoked.autorisations.update(revoked_at=timezone.now())

    page = usager_client(usager).get(SPACE).content.decode()

    current, past = page.split("Mandats passés")
    assert f"{mandat} avec {organisation.structure.name}" in current
    assert "Social - Santé" in current and "Argent - Impôts - Consommation" in current
    assert other_organisation.structure.name in past and "Justice" in past and "Expiré" in past
    assert f"{revoked}" in past and "Révoqué" in past


def test_the_space_shows_no_mandate_of_another_usager(mandat):
    stranger = UsagerFactory()

    page = usager_client(stranger).get(SPACE).content.decode()

    assert str(mandat) not in page
    assert "Vous n'avez aucun mandat en cours." in page


def test_the_list_takes_as_many_queries_for_one_mandate_as_for_four(usager, organisation):
    client = usager_client(usager)
    MandatFactory(organisation=organisation.structure, usager=usager)
    with CaptureQueriesContext(connection) as one:
        client.get(SPACE)
    for _ in range(3):
        MandatFactory(organisation=organisation.structure, usager=usager)

    with CaptureQueriesContext(connection) as four:
        client.get(SPACE)

    assert len(four) == len(one)


def test_the_session_expires_after_fifteen_minutes(usager):
    client = usager_client(usager, expires_at=timezone.now().timestamp() - 1)

    response = client.get(SPACE)

    assert response.url == LOGIN
    assert USAGER_SESSION_KEY not in client.session
    assert "expiré" in str(next(iter(get_messages(response.wsgi_request))))


def test_the_usager_revokes_one_autorisation(mandat, usager):
    social = mandat.autorisations.get(demarche="social")
    client = usager_client(usager)

    response = client.post(revoke_autorisation_url(social))

    assert response.url == SPACE
    social.refresh_from_db()
    assert social.revoked_at is not None and social.revoked_by is None
    entry = JournalEntry.objects.get()
    assert entry.action == JournalAction.AUTORISATION_REVOKED
    assert (entry.actor, entry.usager_id, entry.demarche) == (None, usager.pk, "social")
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_the_usager_revokes_the_whole_mandate(mandat, usager):
    response = usager_client(usager).post(revoke_mandat_url(mandat))

    assert response.url == SPACE
    assert not Mandat.objects.active().filter(pk=mandat.pk).exists()
    assert list(JournalEntry.objects.values_list("action", "actor")) == [
        (JournalAction.AUTORISATION_REVOKED, None),
        (JournalAction.AUTORISATION_REVOKED, None),
        (JournalAction.MANDAT_REVOKED, None),
    ]


def test_revoking_asks_for_a_confirmation_first(mandat, usager):
    client = usager_client(usager)

    page = client.get(revoke_mandat_url(mandat)).content.decode()

    assert f"Révoquer le {mandat}" in page and 'method="post"' in page
    assert "ne pourront plus faire aucune démarche pour vous" in page
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_the_space_opens_each_revocation_in_a_modal(mandat, usager):
    """With JavaScript, a DSFR modal posts the revocation; without, a link to its GET page."""
    page = usager_client(usager).get(reverse("mandats:usager-space")).content.decode()
    social = mandat.autorisations.get(demarche="social")
    for modal_id, url, words in (
        (f"revoquer-mandat-{mandat.pk}", revoke_mandat_url(mandat), "aucune démarche pour vous"),
        (
            f"revoquer-autorisation-{social.pk}",
            revoke_autorisation_url(social),
            "Les autres autorisations du mandat restent valables",
        ),
    ):
        modal = page[page.index(f'<dialog id="confirmer-{modal_id}"') :]
        modal = modal[: modal.index("</dialog>")]
        assert f'action="{url}"' in modal and 'method="post"' in modal
        assert words in modal
        assert f'href="{url}"' in page
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_revoking_needs_the_csrf_token(mandat, usager):
    client = usager_client(usager, client=Client(enforce_csrf_checks=True))

    assert client.post(revoke_mandat_url(mandat)).status_code == 403
    assert Mandat.objects.active().filter(pk=mandat.pk).exists()


def test_an_usager_cannot_revoke_the_mandate_of_another(mandat):
    client = usager_client(UsagerFactory())

    assert client.post(revoke_mandat_url(mandat)).status_code == 404
    assert client.post(revoke_autorisation_url(mandat.autorisations.first())).status_code == 404
    assert not Autorisation.objects.filter(revoked_at__isnull=False).exists()


def test_someone_without_mandate_revokes_nothing(mandat):
    client = usager_client(None)

    assert client.post(revoke_mandat_url(mandat)).status_code == 404


def test_revoking_twice_says_it_is_already_done(mandat, usager):
    client = usager_client(usager)
    client.post(revoke_mandat_url(mandat))

    response = client.post(revoke_mandat_url(mandat))

    assert "déjà révoqué" in [str(m) for m in get_messages(response.wsgi_request)][-1]
    assert JournalEntry.objects.filter(action=JournalAction.MANDAT_REVOKED).count() == 1


def test_the_space_needs_no_second_factor_even_beside_an_aidant_login(
    client, aidant, mandat, usager
):
    client.force_login(aidant)  # an aidant's computer, without a TOTP code typed yet

    response = usager_client(usager, client=client).get(SPACE)

    assert response.status_code == 200


def test_logging_out_without_an_id_token_just_closes_the_space(usager):
    client = usager_client(usager, id_token="")

    response = client.post(reverse("mandats:usager-logout"))

    assert response.url == LOGIN
    assert USAGER_SESSION_KEY not in client.session
