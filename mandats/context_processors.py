from django.http import HttpRequest

from core.models import Role
from mandats import selectors


def current_organisation(request: HttpRequest) -> dict:
    """An aidant always acts for one organisation: shown in the header of every page."""
    user = request.user
    if not user.is_authenticated or Role.AIDANT not in user.roles:
        return {}
    return {"aidant_organisation": selectors.current_organisation(user)}
