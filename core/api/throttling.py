"""DRF throttles keyed on the client's address as `core.client_address` decides it."""

from rest_framework import throttling
from rest_framework.request import Request

from core.client_address import client_ip


class ClientAddressMixin:
    def get_ident(self, request: Request) -> str:
        return client_ip(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
