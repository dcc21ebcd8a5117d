"""The OpenAPI schema documents every endpoint and action of the conseillers API."""

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from tests.conseillers.activity.schema import ACTIVITY_OPERATIONS
from tests.conseillers.activity.stats_schema import FIGURES_OPERATIONS
from tests.conseillers.amendments.schema import AMENDMENT_OPERATIONS
from tests.conseillers.coordination.schema import COORDINATION_OPERATIONS
from tests.conseillers.extensions.schema import BODYLESS, EXTENSION_OPERATIONS
from tests.conseillers.subsidy.schema import SUBSIDY_OPERATIONS

pytestmark = pytest.mark.django_db

OPERATIONS = (
    {
        ("/api/conseillers/candidatures/", "get"),
        ("/api/conseillers/candidatures/", "post"),
        ("/api/conseillers/candidatures/{id}/", "get"),
        ("/api/conseillers/candidatures/{id}/examine/", "post"),
        ("/api/conseillers/candidatures/{id}/refuse/", "post"),
        ("/api/conseillers/candidatures/{id}/cancel/", "post"),
        ("/api/conseillers/candidatures/{id}/mark-duplicate/", "post"),
        ("/api/conseillers/candidatures/{id}/abandon/", "post"),
        ("/api/conseillers/candidatures/{id}/opinion/", "post"),
        ("/api/conseillers/candidatures/{id}/decisions/", "get"),
        ("/api/conseillers/candidatures/{id}/decisions/", "post"),
        ("/api/conseillers/enveloppes/", "get"),
        ("/api/conseillers/enveloppes/", "post"),
        ("/api/conseillers/enveloppes/{departement}/", "get"),
        ("/api/conseillers/enveloppes/proposition/", "post"),
        ("/api/conseillers/enveloppes/appliquer/", "post"),
        ("/api/conseillers/enveloppes/redistribution/", "post"),
        ("/api/conseillers/formations/", "get"),
        ("/api/conseillers/formations/", "post"),
        ("/api/conseillers/formations/{id}/", "get"),
        ("/api/conseillers/formations/{id}/", "patch"),
        ("/api/conseillers/candidats/", "get"),
        ("/api/conseillers/candidats/", "post"),
        ("/api/conseillers/candidats/{id}/interest/", "post"),
        ("/api/conseillers/mises-en-relation/", "get"),
        ("/api/conseillers/mises-en-relation/{id}/", "get"),
        ("/api/conseillers/mises-en-relation/{id}/recruit/", "post"),
        ("/api/conseillers/mises-en-relation/{id}/finalise/", "post"),
        ("/api/conseillers/mises-en-relation/{id}/end/", "post"),
        ("/api/conseillers/mises-en-relation/{id}/rupture/", "post"),
        ("/api/conseillers/mises-en-relation/{id}/validate-rupture/", "post"),
        ("/api/conseillers/smic/", "get"),
        ("/api/conseillers/postes/", "get"),
        ("/api/conseillers/postes/{id}/", "get"),
    }
    | SUBSIDY_OPERATIONS
    | ACTIVITY_OPERATIONS
    | FIGURES_OPERATIONS
    | EXTENSION_OPERATIONS
    | AMENDMENT_OPERATIONS
    | COORDINATION_OPERATIONS
)  # the sub-apps' APIs: subsidy, activity reports, extensions, amendments, coordination


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    """The schema of the conseillers API alone, generated with warnings as failures."""
    target = tmp_path_factory.mktemp("schema") / "schema.yml"
    # The counter is process-wide: forget what other schemas generated earlier in the run.
    GENERATOR_STATS.reset()
    with django_db_blocker.unblock():
        call_command(
            "spectacular",
            "--urlconf=tests.conseillers.api.schema_urls",
            "--validate",
            "--fail-on-warn",
            f"--file={target}",
        )
    return yaml.safe_load(target.read_text())


def _operations(schema: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method): operation
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }


def test_every_endpoint_and_action_is_in_the_schema_and_nothing_else(schema):
    assert set(_operations(schema)) == OPERATIONS


def test_every_operation_has_a_french_summary_and_documents_its_errors(schema):
    for (path, method), operation in _operations(schema).items():
        assert operation.get("summary"), (path, method)
        assert "401" in operation["responses"], (path, method)
        assert "Error" in str(operation["responses"]["401"]), (path, method)


def test_every_write_documents_its_body_and_its_validation_errors(schema):
    for (path, method), operation in _operations(schema).items():
        if method != "post" or path.endswith("/validate-rupture/") or path in BODYLESS:
            continue
        assert "requestBody" in operation, path
        assert "400" in operation["responses"], path


def test_states_are_read_only_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert "state" not in components["CandidatureSubmitRequest"]["properties"]
    assert components["Candidature"]["properties"]["state"]["readOnly"] is True
    assert components["Match"]["properties"]["state"]["readOnly"] is True
