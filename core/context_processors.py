import time

from django.http import HttpRequest
from dsfr.context_processors import site_config as dsfr_site_config

from core.navigation import menu_for

# django-dsfr's site configuration (the header's and footer's texts and links) is the same on
# every page and changes only by an edit in the admin: read at most this often per process, not
# twice on every page.
SITE_CONFIG_SECONDS = 60
_site_config: tuple[float, dict] = (float("-inf"), {})

# The same on every page, error pages rendered without context processors included.
SKIPLINKS = [
    {"link": "#content", "label": "Contenu"},
    {"link": "#fr-navigation", "label": "Menu"},
    {"link": "#footer", "label": "Pied de page"},
]


def navigation(request: HttpRequest) -> dict:
    """Skip links and the main menu (declared in `core.navigation`), filtered by who is here."""
    match = request.resolver_match
    return {
        "skiplinks": SKIPLINKS,
        "main_menu": menu_for(request.user, match.view_name if match else None),
    }


def csp_nonce(request: HttpRequest) -> dict:
    # django-csp's nonce is lazy and reads as false until generated, and the DSFR's script tag only
    # adds nonce="…" when it reads as true: generating it here makes the DSFR scripts run under CSP.
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}


def site_config(request: HttpRequest) -> dict:
    global _site_config
    read_at, config = _site_config
    if time.monotonic() - read_at > SITE_CONFIG_SECONDS:
        config = dsfr_site_config(request)
        _site_config = (time.monotonic(), config)
    return config
