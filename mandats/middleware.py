from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.models import User
from mandats import otp


def otp_exempt(view: Callable) -> Callable:
    """Marks a view reachable before the second factor (the TOTP pages themselves)."""
    view.otp_exempt = True  # type: ignore[attr-defined]
    return view


class AidantOTPRequiredMiddleware:
    """On the Aidants Connect pages, an aidant or référent must have entered a TOTP code, and a
    new one after 15 minutes of inactivity. Goes after django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or "mandats" not in match.namespaces:
            return None
        user = request.user
        if getattr(view_func, "otp_exempt", False) or not isinstance(user, User):
            return None
        if not otp.requires_otp(user):
            return None
        if otp.is_verified(request) and otp.inactive_too_long(request):
            otp.forget_verification(request)
        if not otp.is_verified(request):
            return self._redirect_to_second_factor(request, user)
        otp.touch_now_and_then(request)
        return None

    @staticmethod
    def _redirect_to_second_factor(request: HttpRequest, user: User) -> HttpResponseRedirect:
        has_device = otp.confirmed_device(user) is not None
        target = reverse("mandats:totp-verify" if has_device else "mandats:totp-setup")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
