"""The steps of a FranceConnect login as a browser goes through them, and what a refusal leaves."""

import html
from importlib import import_module

from django.conf import settings
from django.urls import reverse

from mandats.models import JournalEntry, Usager
from mandats.views.usager_space import USAGER_SESSION_KEY
from mandats.views.wizard_state import WIZARD_SESSION_KEY
from tests.mandats.franceconnect.web import Web

STEP_1 = reverse("mandats:mandat-new")
STEP_2 = reverse("mandats:mandat-new-franceconnect")
STEP_3 = reverse("mandats:mandat-new-confirm")


def start_signing(web: Web, demarches: tuple[str, ...] = ("social", "argent")) -> str:
    """Wizard steps 1 and 2: returns where the client sends the browser (the provider)."""
    step_1 = web.submit(STEP_1, {"demarches": list(demarches), "duration": "semestre"})
    assert step_1.headers["Location"] == STEP_2
    to_provider = web.submit(STEP_2)
    assert to_provider.status_code == 302, to_provider.text[:500]
    return to_provider.headers["Location"]


def choose_identity(web: Web, authorize_url: str, choice: dict[str, str]) -> str:
    """On the mock's login page, press a button; returns the callback URL, not yet opened."""
    login_page = web.get(authorize_url)
    assert login_page.status_code == 200, login_page.text[:500]
    callback = web.post_form(login_page, choice)
    assert callback.status_code == 302
    return callback.headers["Location"]


def records() -> tuple[int, int]:
    """Usagers and journal entries: a refused login must leave both as they were."""
    return Usager.objects.count(), JournalEntry.objects.count()


def session_of(web: Web) -> dict:
    """The browser's session as the server keeps it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store(web.http.cookies[settings.SESSION_COOKIE_NAME]).load()


def wizard_of(web: Web) -> dict:
    return session_of(web)[WIZARD_SESSION_KEY]


def assert_refused(response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text[:500]
    page = html.unescape(response.text)
    assert "Connexion FranceConnect impossible" in page
    assert "Ce qui s'est passé" in page and "Ce que vous pouvez faire" in page
    for phrase in phrases:
        assert phrase in page


def assert_nothing_changed(web, before: tuple[int, int]) -> None:
    assert records() == before
    session = session_of(web)
    assert "usager_id" not in session.get("mandats_nouveau_mandat", {})
    assert USAGER_SESSION_KEY not in session
