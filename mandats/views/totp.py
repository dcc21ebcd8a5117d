"""The aidant's second factor: enrolment of an authenticator app, then a code at each login."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.http import AuthenticatedHttpRequest
from mandats import otp
from mandats.forms import TOTPCodeForm
from mandats.middleware import otp_exempt
from mandats.views.common import next_url, posted


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if otp.confirmed_device(request.user) is not None:
        return redirect("mandats:totp-verify")
    device = otp.pending_device(request.user)
    form = TOTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.confirm_enrolment(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, "Votre application d'authentification est activée.")
            return HttpResponseRedirect(next_url(request, reverse("mandats:index")))
    context = {
        "title": "Activer la double authentification",
        "form": form,
        "qr_svg": otp.qr_code_svg(device),
        "secret": _grouped_base32(device),
        "next": next_url(request, ""),
    }
    return render(request, "mandats/totp_setup.html", context)


def _grouped_base32(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    device = otp.confirmed_device(request.user)
    if device is None:
        query = urlencode({"next": next_url(request, "")})
        return redirect(f"{reverse('mandats:totp-setup')}?{query}")
    form = TOTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.verify_login(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return HttpResponseRedirect(next_url(request, reverse("mandats:index")))
    context = {"title": "Saisir votre code", "form": form, "next": next_url(request, "")}
    return render(request, "mandats/totp_verify.html", context)
