import math
import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr

# The mixin is only ever mixed into Django forms: type-check it as one.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class DsfrMixin(_FormBase):
    """DSFR markup for any Django form: fields, errors next to them, optional fields marked."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField
    default_renderer = DsfrDjangoTemplates

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class DsfrForm(DsfrMixin, forms.Form):
    pass


class DsfrModelForm(DsfrMixin, forms.ModelForm):
    pass


# Login throttling. Counters live in Django's cache: LocMemCache counts per process, so production
# needs a cache shared by every web worker (Redis) for the limits to hold as written.
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_LOCKOUT_SECONDS = 15 * 60
MAX_FAILURES_PER_EMAIL = 5
# A France Services site or a town hall puts many aidants behind one address: a higher ceiling.
MAX_FAILURES_PER_ADDRESS = 20


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        # Behind the TLS proxy production requires, the proxy appends the address it saw last;
        # the earlier entries are whatever the client claimed.
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _throttle_keys(email: str, address: str) -> list[tuple[str, int]]:
    # Keyed digests: the cache never holds an email address or an IP in clear.
    keys = [
        ("email", email, MAX_FAILURES_PER_EMAIL),
        ("address", address, MAX_FAILURES_PER_ADDRESS),
    ]
    return [
        (f"{kind}:{salted_hmac('core.login-throttle', value).hexdigest()}", limit)
        for kind, value, limit in keys
        if value
    ]


def login_locked_until(email: str, address: str) -> float | None:
    locks = cache.get_many([f"login-lock:{key}" for key, _ in _throttle_keys(email, address)])
    until = max(locks.values(), default=0.0)
    return until if until > time.time() else None


def login_failure_record(email: str, address: str) -> None:
    for key, limit in _throttle_keys(email, address):
        counter = f"login-failures:{key}"
        cache.add(counter, 0, timeout=LOGIN_WINDOW_SECONDS)
        try:
            # incr is atomic in Redis and memcached: parallel guesses cannot share one count.
            failures = cache.incr(counter)
        except ValueError:  # the window ended between add() and incr()
            cache.set(counter, 1, timeout=LOGIN_WINDOW_SECONDS)
            failures = 1
        if failures >= limit:
            cache.set(
                f"login-lock:{key}", time.time() + LOGIN_LOCKOUT_SECONDS, LOGIN_LOCKOUT_SECONDS
            )
            cache.delete(counter)


def login_success_record(email: str) -> None:
    # Only the email's count: a valid account must not wipe its address's count of failures.
    for key, _ in _throttle_keys(email, ""):
        cache.delete(f"login-failures:{key}")


class LoginForm(DsfrMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        # Never says which of the two is wrong, so the form does not reveal who has an account.
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Adresse électronique ou mot de passe incorrect.",
    }

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.retry_after: int | None = None

    def clean(self) -> dict:
        """Refuses any attempt, right or wrong, while the email or the address is locked; the
        lock applies to unknown emails alike, so it reveals nothing about who has an account."""
        email = str(self.cleaned_data.get("username") or "").strip().lower()
        address = client_address(self.request)
        locked_until = login_locked_until(email, address)
        if locked_until is not None:
            self.retry_after = math.ceil(locked_until - time.time())
            minutes = math.ceil(self.retry_after / 60)
            raise ValidationError(
                "Trop de tentatives de connexion infructueuses : par sécurité, la connexion est "
                f"suspendue. Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
                code="throttled",
            )
        try:
            # authenticate() runs the password hasher even for an unknown email (Django's
            # ModelBackend hashes a dummy password), so the answer takes the same time.
            cleaned = super().clean()
        except ValidationError:
            login_failure_record(email, address)
            raise
        if self.user_cache is not None:
            login_success_record(email)
        return cleaned


class PasswordRequestForm(DsfrMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(DsfrMixin, SetPasswordForm):
    pass
