from django.http import HttpRequest
from django.utils import timezone

from mandats import selectors
from mandats.abilities import PROGRAMME
from mandats.views.usager_space import USAGER_SESSION_KEY


def current_organisation(request: HttpRequest) -> dict:
    """An aidant always acts for one organisation: shown in the header of every page."""
    user = request.user
    if not user.is_authenticated or not PROGRAMME.get_abilities(user)["sign_mandats"]:
        return {}
    return {"aidant_organisation": selectors.current_organisation(user)}


def current_usager(request: HttpRequest) -> dict:
    """An usager logged in with FranceConnect (a session, not a Django login) sees their name in
    the header, with the way to their space and out of it, until the session ends."""
    session = request.session.get(USAGER_SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(session, dict):
        return {}
    if float(session.get("expires_at") or 0) < timezone.now().timestamp():
        return {}
    return {"usager_name": session.get("name") or "Usager"}
