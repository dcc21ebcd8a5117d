"""Personas as API clients."""

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def api(request, client) -> Callable[[str], Client]:
    """`api("gestionnaire")`: the test client logged in as that persona ("anonymous": not)."""

    def login(persona: str) -> Client:
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return login
