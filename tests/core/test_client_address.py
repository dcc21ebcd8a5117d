"""The client's address, decided once (core.client_address.client_ip) from TRUSTED_PROXY_COUNT:
what the login policy, the API throttles and the logs all use."""

import logging

import pytest
from django.test import RequestFactory

from core.api.throttling import ScopedRateThrottle
from core.client_address import ClientAddressLogFilter, client_ip

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("trusted", "remote_addr", "forwarded", "expected"),
    [
        # No proxy trusted: the header, whatever it says, changes nothing.
        (0, "203.0.113.7", None, "203.0.113.7"),
        (0, "203.0.113.7", "192.0.2.1", "203.0.113.7"),
        (0, "203.0.113.7", "192.0.2.1, 192.0.2.2", "203.0.113.7"),
        # One proxy: the entry it appended, not what the client wrote before it.
        (1, PROXY, "203.0.113.50", "203.0.113.50"),
        (1, PROXY, "192.0.2.1, 192.0.2.2, 203.0.113.50", "203.0.113.50"),
        # Two proxies: the entry the outer one appended.
        (2, PROXY, "192.0.2.1, 203.0.113.50, 10.0.0.9", "203.0.113.50"),
        # The request did not cross every proxy, or the entry is no address: the TCP peer.
        (1, "203.0.113.7", None, "203.0.113.7"),
        (2, PROXY, "203.0.113.50", PROXY),
        (1, PROXY, "192.0.2.1, pas-une-adresse", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, trusted, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)

    assert client_ip(request) == expected


@pytest.mark.parametrize("trusted", [0, 1])
def test_the_api_throttles_key_on_the_same_address(settings, trusted):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().post(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.50"
    )

    assert ScopedRateThrottle().get_ident(request) == client_ip(request)


def test_log_records_about_a_request_carry_the_client_address():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    about_request = logging.LogRecord("django.request", logging.WARNING, "", 0, "x", (), None)
    about_request.request = request
    other = logging.LogRecord("celery", logging.INFO, "", 0, "x", (), None)

    ClientAddressLogFilter().filter(about_request)
    ClientAddressLogFilter().filter(other)

    assert about_request.client_ip == "203.0.113.7"
    assert other.client_ip == "-"
