"""Limits on the public organisation request, which anybody may send without an account: each
request makes the product email the address it names, so an unlimited form would let anyone
flood an inbox, or the ANCT's queue, through us.

Counted in the shared cache (Redis in production, so every web worker counts together): per
client address and per email address, for the requests sent and for the confirmation links
emailed, in fixed windows. Redis unreachable, the cache counts nothing (core.cache) and the form
stays open: the database's own limit (unconfirmed requests open per address,
`check_unconfirmed_per_email`) still bounds what one inbox can receive, and unconfirmed requests
expire (`organisations.organisation_requests_expire_unconfirmed`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from mandats.models import OrganisationRequest, OrganisationRequestStatus

HOUR = 3600
DAY = 24 * HOUR


class Limited(ValidationError):
    """Refused because a limit is reached: the message says when to come back (the pages
    answer 429 with Retry-After)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="throttled")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str
    window_seconds: int
    message: str

    @property
    def count(self) -> int:
        return int(getattr(settings, self.setting))


_LATER = "Réessayez dans {wait}."
SUBMISSIONS_PER_ADDRESS = Limit(
    "demandes-adresse-ip",
    "ORGANISATION_REQUESTS_PER_CLIENT_PER_HOUR",
    HOUR,
    "Trop de demandes d'habilitation envoyées depuis votre connexion. " + _LATER,
)
SUBMISSIONS_PER_EMAIL = Limit(
    "demandes-courriel",
    "ORGANISATION_REQUESTS_PER_EMAIL_PER_DAY",
    DAY,
    "Trop de demandes d'habilitation pour cette adresse électronique. " + _LATER,
)
LINKS_PER_ADDRESS = Limit(
    "liens-adresse-ip",
    "ORGANISATION_REQUEST_LINKS_PER_CLIENT_PER_HOUR",
    HOUR,
    "Trop de liens de confirmation demandés depuis votre connexion. " + _LATER,
)
LINKS_PER_EMAIL = Limit(
    "liens-courriel",
    "ORGANISATION_REQUEST_LINKS_PER_EMAIL_PER_DAY",
    DAY,
    "Trop de liens de confirmation envoyés à cette adresse électronique. " + _LATER,
)


def consume(limit: Limit, who: str) -> None:
    """Counts one use by `who` in the current window, or refuses it past the limit. The count
    is one atomic INCR, so two web workers cannot both take the last use."""
    now = time.time()
    window = int(now // limit.window_seconds)
    digest = hashlib.sha256(who.strip().lower().encode()).hexdigest()[:32]
    key = f"mandats:limite:{limit.name}:{window}:{digest}"
    cache.add(key, 0, timeout=limit.window_seconds + 60)
    try:
        used = cache.incr(key)
    except ValueError:  # the cache is unreachable: see the module's docstring
        return
    if used > limit.count:
        retry_after = int((window + 1) * limit.window_seconds - now) + 1
        raise Limited(limit.message.format(wait=_french_wait(retry_after)), retry_after=retry_after)


def check_unconfirmed_per_email(email: str) -> None:
    """The database's limit, which holds without Redis: an address holds only so many requests
    it has not confirmed (each one sent it a link)."""
    waiting = OrganisationRequest.objects.filter(
        referent_email=email,
        status=OrganisationRequestStatus.NEW,
        email_confirmed_at__isnull=True,
    ).count()
    if waiting >= settings.ORGANISATION_REQUESTS_UNCONFIRMED_PER_EMAIL:
        days = settings.ORGANISATION_REQUEST_UNCONFIRMED_DAYS
        raise Limited(
            "Des demandes attendent déjà la confirmation de cette adresse électronique : "
            "ouvrez le lien reçu par courriel, ou attendez qu'elles expirent "
            f"({days} jours après leur envoi).",
            retry_after=DAY,
        )


def _french_wait(seconds: int) -> str:
    if seconds >= 2 * HOUR:
        return f"{round(seconds / HOUR)} heures"
    if seconds > 90:
        return f"{round(seconds / 60)} minutes"
    return "une minute"
