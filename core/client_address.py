"""The client's address, decided in one place for the login policy, the API throttles and the logs.

`X-Forwarded-For` is written by whoever sends the request: only the entries our own proxies
appended can be believed. `TRUSTED_PROXY_COUNT` says how many there are. Each proxy appends the
address of the peer it received the request from, so with n trusted proxies the client's address
is the n-th entry from the right; everything to its left is what the client claimed.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str:
    remote_addr = str(request.META.get("REMOTE_ADDR") or "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote_addr
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < trusted:
        # The request did not cross all our proxies (reached the application directly): the
        # TCP peer is then the only address nobody could write.
        return remote_addr
    candidate = entries[-trusted]
    return candidate if _is_ip(candidate) else remote_addr


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class ClientAddressLogFilter(logging.Filter):
    """Gives every log record a `client_ip` ("-" when the record is not about a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.client_ip = client_ip(request) if isinstance(request, HttpRequest) else "-"
        return True
