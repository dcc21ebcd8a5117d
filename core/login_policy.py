"""One login policy for every door: the login page, the API token endpoint, the password reset
and the admin.

django-axes records every failure in the database (`AccessAttempt`: one row per account, address
and user agent with its count; `AccessFailureLog`: one row per failure), so the policy holds
across web workers without Redis, and natively locks the pair (account, address) after
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS failures for LOGIN_LOCKOUT_MINUTES. Axes checks every
rule with one limit; two more, read here from the same records, need their own:

- an address is locked after LOGIN_FAILURES_PER_ADDRESS failures over any accounts (guessing
  many emails from one machine);
- an account is locked from every address only past LOGIN_FAILURES_PER_ACCOUNT failures within
  LOGIN_ACCOUNT_WINDOW_HOURS (guessing from many machines), for a delay that doubles with each
  further failure (1, 2, 4… minutes, at most LOGIN_ACCOUNT_DELAY_MAX_MINUTES).

So an attacker who knows a person's email locks out only their own address; the person, from
theirs, still logs in until the much higher account threshold. A refused attempt is not
recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False): an attacker cannot extend a
lock. Unknown emails are counted and locked exactly like known ones, so no answer tells who has
an account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.client_address import client_ip
from core.models import User


@dataclass(frozen=True)
class Lock:
    until: datetime

    def retry_after(self) -> int:
        """Whole seconds to wait, as the Retry-After header says it."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds()))

    @property
    def message(self) -> str:
        minutes = math.ceil(self.retry_after() / 60)
        return (
            "Trop de tentatives de connexion infructueuses : par sécurité, la connexion est "
            f"suspendue. Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}."
        )


class LoginLocked(Exception):
    def __init__(self, lock: Lock) -> None:
        super().__init__(lock.message)
        self.lock = lock


def normalized_email(value: object) -> str:
    return str(value or "").strip().lower()


def attempted_email(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """AXES_USERNAME_CALLABLE: the account an attempt targets, whatever its case."""
    credentials = credentials or {}
    return normalized_email(credentials.get("username") or credentials.get("email"))


def current_lock(request: HttpRequest, email: str, *, account: bool = True) -> Lock | None:
    """The lock that refuses this attempt, the longest if several hold; None if none does.

    `account=False` leaves out the account-wide lock: the password reset is the owner's way out
    of it (see `forget_failures`)."""
    now = timezone.now()
    address = client_ip(request) or None
    locks = [
        _pair_lock(email, address, now),
        _address_lock(address, now),
        _account_lock(email, now) if account else None,
    ]
    held = [lock for lock in locks if lock is not None]
    return max(held, key=lambda lock: lock.until) if held else None


def authenticate_or_refuse(request: HttpRequest, email: str, password: str) -> User | None:
    """What every door runs: refused while a lock holds (the password hasher does not even run),
    otherwise Django's authenticate(), whose failure axes records."""
    lock = current_lock(request, email)
    if lock is not None:
        raise LoginLocked(lock)
    user = authenticate(request, username=email, password=password)
    return user if isinstance(user, User) else None


def record_password_reset_request(request: HttpRequest, email: str) -> None:
    """A reset request counts like a failed login, so that one address cannot send a person
    an endless stream of emails."""
    user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)


def forget_failures(email: str) -> None:
    """The owner proved they hold the mailbox (a password reset): the account starts afresh."""
    AccessAttempt.objects.filter(username=email).delete()
    AccessFailureLog.objects.filter(username=email).delete()


def login_records_purge() -> int:
    now = timezone.now()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - _cool_off()).delete()
    retention = timedelta(days=settings.LOGIN_FAILURE_RETENTION_DAYS)
    failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=now - retention).delete()
    return attempts + failures


def _cool_off() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _pair_lock(email: str, address: str | None, now: datetime) -> Lock | None:
    attempts = AccessAttempt.objects.filter(username=email, ip_address=address)
    return _lock_from_counts(attempts, settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, now)


def _address_lock(address: str | None, now: datetime) -> Lock | None:
    if address is None:
        return None
    attempts = AccessAttempt.objects.filter(ip_address=address)
    return _lock_from_counts(attempts, settings.LOGIN_FAILURES_PER_ADDRESS, now)


def _lock_from_counts(attempts: QuerySet[AccessAttempt], limit: int, now: datetime) -> Lock | None:
    """Axes' own rule over its rows: the failures of the rows whose last failure is within the
    cool-off add up; the lock lasts until enough of those rows have aged out."""
    rows = attempts.filter(attempt_time__gte=now - _cool_off()).order_by("-attempt_time")
    total = 0
    for attempt_time, failures in rows.values_list("attempt_time", "failures_since_start"):
        total += failures
        if total >= limit:
            return Lock(until=attempt_time + _cool_off())
    return None


def _account_lock(email: str, now: datetime) -> Lock | None:
    window = timedelta(hours=settings.LOGIN_ACCOUNT_WINDOW_HOURS)
    failures = AccessFailureLog.objects.filter(username=email, attempt_time__gte=now - window)
    summary = failures.aggregate(count=Count("pk"), last=Max("attempt_time"))
    excess = summary["count"] - settings.LOGIN_FAILURES_PER_ACCOUNT
    if excess < 0:
        return None
    delay = min(
        timedelta(minutes=2**excess), timedelta(minutes=settings.LOGIN_ACCOUNT_DELAY_MAX_MINUTES)
    )
    until = summary["last"] + delay
    return Lock(until=until) if until > now else None


class LoginPolicyHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler whose lock check is the whole policy above, for
    every door that calls authenticate() (the admin's included)."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        lock = current_lock(request, attempted_email(request, credentials))
        request.login_lock = lock  # type: ignore[attr-defined]  # read by lockout_response
        return lock is not None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE. The failure that reaches a limit is answered like any failure, and
    our doors answer their own refusals (429 already): only a door that relies on axes alone
    (the admin's login) gets the policy's page here."""
    lock: Lock | None = getattr(request, "login_lock", None)
    if original_response is not None and (lock is None or original_response.status_code == 429):
        return original_response
    if lock is None:
        return HttpResponse(status=429)
    response = render(
        request, "core/locked.html", {"title": "Connexion suspendue", "lock": lock}, status=429
    )
    response["Retry-After"] = str(lock.retry_after())
    return response
