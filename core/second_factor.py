"""The second factor the API token endpoint demands of aidants and référents.

Aidants Connect owns the TOTP verification (mandats.otp: device lookup, drift tolerance,
django-otp's growing delay after wrong codes, single use of a code). Core must not import
mandats, which imports core: settings.API_TOKEN_SECOND_FACTOR names the three functions instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from core.models import User


def _hook(name: str) -> Callable[..., Any]:
    return import_string(settings.API_TOKEN_SECOND_FACTOR[name])


def second_factor_required(user: User) -> bool:
    return bool(_hook("required")(user))


def second_factor_check(user: User, code: str) -> None:
    """Raises a French ValidationError unless `user` needs no second factor or `code` is
    accepted by their confirmed device."""
    if not second_factor_required(user):
        return
    device = _hook("device")(user)
    if device is None:
        raise ValidationError(
            "Les aidants et référents n'obtiennent un jeton qu'avec un code à usage unique : "
            "activez d'abord votre application d'authentification dans Aidants Connect."
        )
    if not code:
        raise ValidationError(
            "Les aidants et référents n'obtiennent un jeton qu'avec un code à usage unique : "
            "saisissez le code affiché par votre application d'authentification (champ totp)."
        )
    _hook("check")(device, code)
