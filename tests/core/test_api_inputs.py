"""Every input the API receives is answered in its documented shape: malformed ids, NUL
characters, unknown paths, malformed JSON, a wrong content type, pages out of range and unknown
filters are 4xx in {"code", "message", "details"}, never a 500 nor an HTML page."""

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db

API = "/api/conseillers"


def error_body(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert isinstance(body["details"], dict)
    return body


@pytest.fixture
def anct_client(client, anct):
    client.force_login(anct)
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/paiements/abc/correct/",
        f"{API}/tranches/abc/pay/",
        f"{API}/candidatures/1.5/",
        f"{API}/mises-en-relation/-1/end/",
        f"{API}/candidats/abc/interest/",
        f"{API}/reversements/%20/claim/",
    ],
)
def test_a_malformed_id_is_not_found_in_the_error_shape(anct_client, path):
    response = anct_client.post(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert error_body(response)["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/nulle-part/", "/api/conseillers/x/y/z", "/api/moi/de/trop/"]
)
def test_an_unknown_path_under_the_api_is_not_found_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert error_body(response) == {
        "code": "not_found",
        "message": "Ressource introuvable.",
        "details": {},
    }


def test_a_post_to_a_malformed_id_with_a_token_is_not_found_in_json(client, anct):
    from core.services import api_token_create

    _, raw = api_token_create(user=anct, name="test")
    # A token caller sends no CSRF cookie: the fallback must not answer Django's HTML 403.
    client = type(client)(enforce_csrf_checks=True)
    response = client.post(
        f"{API}/reversements/8.5/settle/",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert response.status_code == 404
    error_body(response)


def test_a_nul_character_in_a_path_is_not_a_server_error(client):
    response = client.get("/api/departements/%00/")
    assert response.status_code == 404
    error_body(response)


def test_a_nul_character_in_a_json_field_is_refused(client, gestionnaire):
    client.force_login(gestionnaire)
    body = {"first_name": "A\x00", "last_name": "B", "email": "a\x00@example.org"}
    response = client.post(f"{API}/candidats/", body, content_type="application/json")
    assert response.status_code == 400
    assert error_body(response)["code"] == "invalid"


def test_a_nul_character_in_a_query_parameter_is_refused(client):
    response = client.get("/api/departements/", {"region": "2\x004"})
    assert response.status_code == 400
    error_body(response)


def test_malformed_json_is_refused_in_french(anct_client):
    response = anct_client.post(
        f"{API}/enveloppes/proposition/", "{pas du json", content_type="application/json"
    )
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "parse_error",
        "message": "Le corps de la requête n'est pas un JSON valide.",
        "details": {},
    }


def test_a_wrong_content_type_is_unsupported_media_type(anct_client):
    response = anct_client.post(f"{API}/enveloppes/proposition/", "x", content_type="text/plain")
    assert response.status_code == 415
    body = error_body(response)
    assert body["code"] == "unsupported_media_type"
    assert "application/json" in body["message"]


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_a_page_number_below_one_is_invalid(client, page):
    response = client.get("/api/departements/", {"page": page})
    assert response.status_code == 400
    assert "page" in error_body(response)["details"]


def test_a_page_beyond_the_last_is_not_found_in_french(client):
    response = client.get("/api/departements/", {"page": "999"})
    assert response.status_code == 404
    body = error_body(response)
    assert body["code"] == "not_found"
    assert body["message"] == "Cette page n'existe pas : la liste compte 3 pages."


def test_an_unknown_filter_value_names_the_allowed_values(anct_client):
    response = anct_client.get(f"{API}/tranches/", {"state": "zzz"})
    assert response.status_code == 400
    (message,) = error_body(response)["details"]["state"]
    assert "zzz" in message and "due" in message and "payee" in message


@pytest.mark.parametrize(
    ("path", "name"),
    [("/api/structures/", "zrr"), (f"{API}/candidatures/", "doublon")],
)
@pytest.mark.parametrize("value", ["2", "AAA", "null"])
def test_a_boolean_filter_other_than_true_or_false_is_refused(anct_client, path, name, value):
    response = anct_client.get(path, {name: value})
    assert response.status_code == 400
    assert error_body(response)["details"][name] == [
        f"« {value} » n'est pas un booléen : indiquez true ou false."
    ]


def test_an_unknown_choice_filter_value_names_the_allowed_values(anct_client):
    response = anct_client.get(f"{API}/candidatures/", {"etat": "zzz"})
    assert response.status_code == 400
    (message,) = error_body(response)["details"]["etat"]
    assert "creee" in message


@pytest.mark.parametrize(
    "path", ["/api/departements/", f"{API}/tranches/", f"{API}/candidatures/", f"{API}/smic/"]
)
def test_an_unknown_query_parameter_is_refused_naming_the_known_ones(anct_client, path):
    response = anct_client.get(path, {"etta": "creee"})
    assert response.status_code == 400
    (message,) = error_body(response)["details"]["etta"]
    assert message.startswith("Paramètre inconnu.")


def test_the_known_query_parameters_are_named(client):
    response = client.get("/api/departements/", {"inconnu": "1"})
    (message,) = error_body(response)["details"]["inconnu"]
    assert message == (
        "Paramètre inconnu. Paramètres possibles : ordering, page, region, taille, zone."
    )


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    import yaml

    target = tmp_path_factory.mktemp("schema") / "schema.yml"
    GENERATOR_STATS.reset()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", f"--file={target}")
    return yaml.safe_load(target.read_text())


def test_every_operation_documents_the_error_responses(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"400", "404"} | ({"401"} if operation.get("security") != [] else set())
            if "requestBody" in operation:
                expected |= {"415"}
            assert expected <= codes, (method, path, codes)
            for code in expected:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_page_numbers_are_documented_from_one(schema):
    parameters = schema["paths"]["/api/departements/"]["get"]["parameters"]
    (page,) = [p for p in parameters if p["name"] == "page"]
    assert page["schema"]["minimum"] == 1
