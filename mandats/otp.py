"""The aidant's second factor: a TOTP device (app or physical card) checked by django-otp.

Clock drift is the first cause of support tickets in the real service: the device tolerates one
step either side and remembers the drift it observed. django-otp's throttling doubles the wait
after each wrong code. The session remembers the last activity: after 15 minutes of inactivity,
or before a mandate is confirmed, a fresh code is required.
"""

from __future__ import annotations

import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.http import AuthenticatedHttpRequest
from core.models import Role, User
from core.plurals import count_fr
from mandats.models import TOTP_TOLERANCE_STEPS, CarteTOTPDevice, JournalEntry
from mandats.selectors import current_organisation

INACTIVITY_TIMEOUT = timedelta(minutes=15)
TOLERANCE_STEPS = TOTP_TOLERANCE_STEPS
SESSION_LAST_ACTIVITY = "mandats_last_activity"
DEVICE_NAME = "Application d'authentification"


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the second factor: django_otp's middleware gives the user an
    `is_verified()` the types do not know (and none to an anonymous visitor)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def requires_otp(user: User) -> bool:
    """Aidants and référents handle usagers' mandates: both need the second factor."""
    return bool(user.is_authenticated and user.scope.structure_ids(Role.AIDANT, Role.REFERENT))


def confirmed_device(user: User) -> TOTPDevice | CarteTOTPDevice | None:
    """The device whose codes the person types: the physical card while one is associated (the
    référent gave it deliberately, to an aidant without a smartphone or who lost it), else the
    app. A card declared lost is unconfirmed at once, and the app takes over again."""
    card = CarteTOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return card or TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: its secret is shown until a first code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, confirmed=False, tolerance=TOLERANCE_STEPS
        )
    return device


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG: the secret never leaves the page for a QR service."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drops the XML declaration, invalid inside HTML


def check_code(device: TOTPDevice | CarteTOTPDevice, token: str) -> None:
    """Raises a French ValidationError unless `token` is accepted by `device`."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(_throttled_message(data or {}))
    token = (token or "").replace(" ", "")
    with transaction.atomic():
        # Locked: two concurrent submissions of one code cannot both pass (django-otp's last_t).
        locked = type(device)._default_manager.select_for_update().get(pk=device.pk)
        if locked.verify_token(token):
            device.refresh_from_db()
            return
    raise ValidationError(
        "Code incorrect. Vérifiez l'heure de votre téléphone, puis saisissez le code affiché "
        "par votre application ou votre carte (un même code ne sert qu'une fois)."
    )


def _throttled_message(data: dict) -> str:
    locked_until = data.get("locked_until")
    seconds = (
        max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    )
    return (
        f"Trop de codes incorrects ({data.get('failure_count', 0)}) : "
        f"réessayez dans {count_fr(seconds, 'seconde')}."
    )


def confirm_enrolment(request: AuthenticatedHttpRequest, device: TOTPDevice, token: str) -> None:
    check_code(device, token)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    mark_verified(request, device)


def verify_login(
    request: AuthenticatedHttpRequest, device: TOTPDevice | CarteTOTPDevice, token: str
) -> None:
    """Second step of the aidant's login (and of the re-login after inactivity), journaled."""
    check_code(device, token)
    mark_verified(request, device)


def mark_verified(request: AuthenticatedHttpRequest, device: TOTPDevice | CarteTOTPDevice) -> None:
    otp_login(request, device)
    touch(request)
    JournalEntry.log_aidant_login(
        aidant=request.user, organisation=current_organisation(request.user)
    )


def touch(request: HttpRequest) -> None:
    request.session[SESSION_LAST_ACTIVITY] = timezone.now().timestamp()


def touch_now_and_then(request: HttpRequest) -> None:
    # Saving the session on every request costs a write each time; a minute's accuracy is enough.
    last = float(request.session.get(SESSION_LAST_ACTIVITY) or 0)
    if timezone.now().timestamp() - last > 60:
        touch(request)


def inactive_too_long(request: HttpRequest) -> bool:
    last = request.session.get(SESSION_LAST_ACTIVITY)
    if last is None:
        return True
    return timezone.now().timestamp() - float(last) > INACTIVITY_TIMEOUT.total_seconds()


def forget_verification(request: HttpRequest) -> None:
    """Drops the second factor only: the email+password login stays, a new code is asked."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(SESSION_LAST_ACTIVITY, None)
    # Set by django_otp's middleware on the user, an attribute the types do not know.
    setattr(request.user, "otp_device", None)  # noqa: B010


def require_fresh_totp(request: AuthenticatedHttpRequest, token: str) -> None:
    """Called by the pages that confirm a mandate: the aidant types a new code from the device
    just before the confirmation, whatever the age of the session."""
    device = confirmed_device(request.user)
    if device is None:
        raise ValidationError("Activez d'abord votre application d'authentification.")
    check_code(device, token)
    touch(request)
