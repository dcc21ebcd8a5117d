from django.http import HttpRequest

from mandats import selectors
from mandats.abilities import PROGRAMME


def current_organisation(request: HttpRequest) -> dict:
    """An aidant always acts for one organisation: shown in the header of every page."""
    user = request.user
    if not user.is_authenticated or not PROGRAMME.get_abilities(user)["sign_mandats"]:
        return {}
    return {"aidant_organisation": selectors.current_organisation(user)}
