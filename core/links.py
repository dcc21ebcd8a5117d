"""Absolute links written into emails, which are sent by workers outside any request."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.models import User


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


LOOPBACK_ALIASES = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def demo_origins() -> tuple[str, ...]:
    """Where browsers reach the demo, for the redirect URIs of its OpenID clients: its base URL,
    and on this machine the other loopback name, which a browser may use as well."""
    base = settings.DEMO_BASE_URL.rstrip("/")
    parts = urlsplit(base)
    alias = LOOPBACK_ALIASES.get(parts.hostname or "")
    if alias is None:
        return (base,)
    port = f":{parts.port}" if parts.port else ""
    return (base, f"{parts.scheme}://{alias}{port}")


def password_link(email: str) -> str:
    """The single-use link to choose a password (the same as « mot de passe oublié »)."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return absolute(reverse("core:password-request"))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("core:password-set", kwargs={"uidb64": uid, "token": token}))
