"""The API fuzzed from its own OpenAPI schema by schemathesis, on a live server, once per role.

Every check of schemathesis runs (no server error, status codes, content types, response bodies
and headers conforming to the schema, valid data accepted and invalid data refused, the
authentication not ignored…), through every phase it has (the schema's examples, coverage,
fuzzing, and the stateful phase chaining operations through their links). The number of examples
per operation is bounded so that the five roles run in a few minutes on two cores.

The aidants are left out: logging in needs their TOTP, and the API offers no Aidants Connect
operation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import requests
import schemathesis
from django.core.cache import caches
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from core.demo import DEMO_PASSWORD
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = {
    "anct": "anct@demo.inclusion.gouv.fr",
    "prefecture": "prefecture37@demo.inclusion.gouv.fr",
    "gestionnaire": "gestionnaire@demo.inclusion.gouv.fr",
    "conseiller": "conseiller@demo.inclusion.gouv.fr",
    "anonymous": None,
}
EXAMPLES_PER_OPERATION = 5
STATEFUL_STEPS = 6
SECONDS_PER_ROLE = 60
# What positive_data_acceptance accepts by default (schemathesis' own list).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


@dataclass(frozen=True)
class Failure:
    role: str
    label: str
    phase: str
    what: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.phase} {self.label}: {self.what}"


def token_for(base_url: str, email: str) -> str:
    """A token as an integration gets one: POST /api/jeton/."""
    body = {"email": email, "password": DEMO_PASSWORD, "nom": "schemathesis"}
    response = requests.post(f"{base_url}/api/jeton/", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def config_for(base_url: str, token: str | None) -> SchemathesisConfig:
    headers = {"Authorization": f"Token {token}"} if token else {}
    generation = {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True}
    return SchemathesisConfig.from_dict(
        {
            "base-url": base_url,
            "headers": headers,
            "max-time": SECONDS_PER_ROLE,
            "continue-on-failure": True,
            "generation": generation,
            "checks": {
                "enabled": True,
                # A schema-valid body may still break a business rule the schema cannot state (a
                # candidat that exists, tranches totalling 100 %, a state that allows the
                # action): that refusal is a documented 400 in the error shape.
                "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]},
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
            },
        }
    )


def fuzz(base_url: str, role: str, token: str | None) -> tuple[list[Failure], int]:
    """Runs schemathesis against the live schema; returns its failures and the number of
    scenarios it ran."""
    config = config_for(base_url, token)
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/", config=config)
    failures: list[Failure] = []
    scenarios = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            if event.status in (Status.FAILURE, Status.ERROR):
                failures.extend(_failures_of(role, event))
        elif isinstance(event, events.NonFatalError):
            failures.append(Failure(role, event.label, str(event.phase), event.info.format()))
        elif isinstance(event, events.FatalError):
            failures.append(Failure(role, "-", "-", repr(event.exception)))
    return failures, scenarios


def _failures_of(role: str, event: events.ScenarioFinished) -> list[Failure]:
    found = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.failure_info is not None:
                case = event.recorder.cases[case_id].value
                request = (
                    f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"
                )
                failure = check.failure_info.failure
                what = f"{check.name}: {failure.title} ({failure.message[:300]}) — {request}"
                found.append(Failure(role, event.label or "-", str(event.phase), what))
    if not found:
        found.append(Failure(role, event.label or "-", str(event.phase), str(event.status)))
    return found


def test_the_api_answers_every_generated_request_of_every_role_as_its_schema_says(live_server):
    load_demo()
    # Earlier tests of the run count against the login rate of this address; the fuzzing of
    # /api/jeton/ does too, so every token is taken before any fuzzing.
    caches["default"].clear()
    base_url = live_server.url
    tokens = {role: token_for(base_url, email) if email else None for role, email in ROLES.items()}
    failures: list[Failure] = []
    for role, token in tokens.items():
        found, scenarios = fuzz(base_url, role, token)
        assert scenarios > 0, role
        failures.extend(found)
    assert not failures, report(failures)


def report(failures: list[Failure]) -> str:
    """How many failures of each kind, then one example of each kind."""
    kinds: dict[str, list[Failure]] = {}
    for failure in failures:
        kind = f"[{failure.role}] {failure.phase} {failure.label}: {failure.what.split(' (')[0]}"
        kinds.setdefault(kind, []).append(failure)
    lines = [f"{len(found)} × {kind}" for kind, found in sorted(kinds.items())]
    examples = [str(found[0]) for _, found in sorted(kinds.items())]
    return "\n".join([f"{len(failures)} échecs :", *lines, "Exemples :", *examples])
