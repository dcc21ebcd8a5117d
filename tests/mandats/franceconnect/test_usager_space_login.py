"""The usager space over real HTTP: the usager logs in with the mock FranceConnect, sees their
mandates, then logs out of FranceConnect too."""

import html

import pytest
from django.urls import reverse

from franceconnect_mock.identities import get_identity
from franceconnect_mock.services import pairwise_sub
from mandats.models import Usager
from mandats.views.usager_space import USAGER_SESSION_KEY
from tests.mandats.factories import MandatFactory, UsagerFactory
from tests.mandats.franceconnect.flows import assert_refused, choose_identity, session_of
from tests.mandats.franceconnect.web import query_of

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = reverse("mandats:usager-login")
SPACE = reverse("mandats:usager-space")
LOGOUT = reverse("mandats:usager-logout")


@pytest.fixture
def dupont(mock_provider):
    """testfc1 as Aidants Connect knows him since he signed a mandate."""
    sub = pairwise_sub(identity=get_identity("testfc1"), provider=mock_provider)
    return UsagerFactory(
        given_names="Stéphane Louis Perceval", family_name="DUPONT", sub_hash=Usager.hash_sub(sub)
    )


def log_in(web, identity: str = "testfc1"):
    to_provider = web.submit(LOGIN)
    assert to_provider.status_code == 302
    return web.get(choose_identity(web, to_provider.headers["Location"], {"identity": identity}))


def test_the_usager_logs_in_and_sees_their_mandates(web, dupont, organisation, other_organisation):
    MandatFactory(organisation=organisation.structure, usager=dupont, demarches=["social"])
    MandatFactory(
        organisation=other_organisation.structure,
        usager=dupont,
        demarches=["logement"],
        expired=True,
    )

    response = log_in(web)

    assert response.headers["Location"] == SPACE
    page = html.unescape(web.get(SPACE).text)
    assert "Mes mandats" in page and "Stéphane Louis Perceval DUPONT" in page
    assert organisation.structure.name in page and other_organisation.structure.name in page
    current, past = page.split("Mandats passés")
    assert "Social - Santé" in current and "Logement" in past


def test_the_session_keeps_the_usager_id_and_the_id_token_not_the_sub(web, dupont):
    log_in(web)

    usager_session = session_of(web)[USAGER_SESSION_KEY]
    assert usager_session["usager_id"] == dupont.pk
    assert usager_session["id_token"].count(".") == 2
    assert set(usager_session) == {"usager_id", "name", "id_token", "expires_at"}


def test_the_login_refreshes_the_known_usager(web, dupont):
    Usager.objects.filter(pk=dupont.pk).update(email="ancienne@exemple.fr")

    log_in(web)

    assert Usager.objects.get(pk=dupont.pk).email == "stephane.dupont@exemple.fr"


def test_someone_without_a_mandate_is_not_recorded(web, mock_provider):
    log_in(web, "3_melaine")

    page = html.unescape(web.get(SPACE).text)
    assert "Mélaine Évelyne MARTIN" in page and "Vous n'avez aucun mandat en cours." in page
    assert not Usager.objects.exists()


def test_cancelling_on_franceconnect_leaves_the_space_closed(web, mock_provider):
    to_provider = web.submit(LOGIN)

    response = web.get(choose_identity(web, to_provider.headers["Location"], {"cancel": "1"}))

    assert_refused(response, 403, "a été annulée")
    assert LOGIN in response.text
    assert USAGER_SESSION_KEY not in session_of(web)


def test_the_usager_logs_out_of_franceconnect_too(web, dupont, live_server):
    log_in(web)
    id_token = session_of(web)[USAGER_SESSION_KEY]["id_token"]

    to_provider = web.post_form(web.get(SPACE), {}, action=LOGOUT)

    end_session = query_of(to_provider.headers["Location"])
    assert to_provider.headers["Location"].startswith(
        f"{live_server.url}/mock-franceconnect/api/v2/session/end?"
    )
    assert end_session["id_token_hint"] == id_token
    assert len(end_session["state"]) >= 32
    assert end_session["post_logout_redirect_uri"] == (
        f"{live_server.url}/aidants-connect/franceconnect/logout-callback/"
    )
    back = web.follow(to_provider)
    assert query_of(back.headers["Location"])["state"] == end_session["state"]
    done = web.follow(back)
    assert done.headers["Location"] == LOGIN
    assert "Vous êtes déconnecté de FranceConnect." in html.unescape(web.follow(done).text)
    assert web.get(SPACE).headers["Location"] == LOGIN


def test_a_logout_callback_with_a_wrong_state_is_refused(web, dupont):
    log_in(web)
    to_provider = web.post_form(web.get(SPACE), {}, action=LOGOUT)
    back = web.follow(to_provider).headers["Location"]

    response = web.get(back.split("?")[0] + "?state=" + "x" * 43)

    assert_refused(response, 400, "ne correspond à aucune déconnexion en cours")
    # The right state still closes the logout, once.
    assert web.get(back).status_code == 302
    assert web.get(back).status_code == 400
