import subprocess

import pytest

from tests.fresh_settings import boot

# What the test environment sets and a production start must not inherit.
PRODUCTION_UNSET = {
    *("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CELERY_TASK_ALWAYS_EAGER"),
    *("SECURE_SSL_REDIRECT", "FRANCECONNECT_MOCK_ENABLED"),
}


SECURITY_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT)"
)


def start_production(code: str = SECURITY_SETTINGS, **env: str) -> subprocess.CompletedProcess:
    """Boots Django with backend.settings in a fresh interpreter, as gunicorn would; by default
    prints the security settings."""
    production = {"DEBUG": "0", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", **env}
    return boot(code, drop=PRODUCTION_UNSET, **production)


def test_production_start_without_secret_key_is_refused():
    result = start_production(ALLOWED_HOSTS="inclusion.example")
    assert result.returncode != 0
    assert "SECRET_KEY est vide" in result.stderr


def test_production_start_with_the_demo_or_a_short_key_is_refused():
    for key in ("court", "demo-insecure-key-never-use-in-production"):
        result = start_production(SECRET_KEY=key, ALLOWED_HOSTS="inclusion.example")
        assert result.returncode != 0
        assert "SECRET_KEY est trop courte" in result.stderr


def test_production_start_without_allowed_hosts_is_refused():
    result = start_production(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS est vide" in result.stderr


def test_production_start_without_broker_is_refused():
    result = start_production(SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example", CELERY_BROKER_URL="")
    assert result.returncode != 0
    assert "CELERY_BROKER_URL est vide" in result.stderr


def test_a_safe_production_start_turns_on_secure_cookies_hsts_and_https():
    result = start_production(SECRET_KEY="x" * 50, ALLOWED_HOSTS="inclusion.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "True"]


def test_a_wrong_boolean_is_refused_with_a_french_message():
    result = start_production(SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example", DEBUG="peut-être")
    assert result.returncode != 0
    assert "DEBUG doit valoir" in result.stderr


@pytest.mark.django_db
def test_pages_carry_security_headers(client):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    # FranceConnect is reached by a form posted here then redirected: its origin is allowed.
    assert "form-action 'self' http://127.0.0.1:8000" in csp


@pytest.mark.django_db
def test_pages_are_in_french(client):
    response = client.get("/connexion/")
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Adresse électronique" in content
    assert "Mot de passe" in content


def test_production_mounts_neither_the_mock_franceconnect_nor_the_demo_service():
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "for path in ('/mock-franceconnect/api/v2/jwks', '/demarche-en-ligne-demo/'):\n"
        "    try:\n"
        "        resolve(path); print('mounted', path)\n"
        "    except Resolver404:\n"
        "        print('absent', path)\n"
        "resolve('/.well-known/openid-configuration'); print('idp mounted')"
    )
    result = start_production(code, SECRET_KEY="x" * 50, ALLOWED_HOSTS="inclusion.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "absent /mock-franceconnect/api/v2/jwks",
        "absent /demarche-en-ligne-demo/",
        "idp mounted",
    ]


def test_the_demo_without_a_broker_uses_files_under_var(tmp_path):
    """`make run` (DEMO=1, DEBUG off) names no broker: the worker and the web server share
    kombu's filesystem transport in VAR_DIR, and the reconciliation gets its short demo
    schedule. DEBUG stays off, so the demo shows the product's error pages, not Django's debug
    pages, and still serves its static files and plain-http cookies."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'], "
        "s.CELERY_BEAT_SCHEDULE['demo-reconcile-subventions']['schedule'], s.DEBUG, "
        "s.WHITENOISE_USE_FINDERS, s.SESSION_COOKIE_SECURE, s.FRANCECONNECT_MOCK_ENABLED)"
    )
    removed = {"CELERY_BROKER_URL", "DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    result = boot(code, drop=removed, DEMO="1", CELERY_TASK_ALWAYS_EAGER="0", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "celery-broker" / "messages"
    assert result.stdout.split() == [
        *("filesystem://", str(folder), "60.0"),
        *("False", "True", "False", "True"),
    ]
    assert folder.is_dir()
