import pytest

from franceconnect_mock import demo
from franceconnect_mock.models import ServiceProvider, SigningKey
from franceconnect_mock.services import service_provider_register

pytestmark = pytest.mark.django_db


def test_load_registers_the_demo_client_for_both_local_hosts():
    provider = demo.load()

    assert provider.client_id == "aidants-connect-demo"
    assert provider.redirect_uris == [
        "http://127.0.0.1:8000/aidants-connect/franceconnect/callback/",
        "http://localhost:8000/aidants-connect/franceconnect/callback/",
    ]
    assert provider.post_logout_redirect_uris == [
        "http://127.0.0.1:8000/aidants-connect/franceconnect/logout-callback/",
        "http://localhost:8000/aidants-connect/franceconnect/logout-callback/",
    ]
    assert SigningKey.objects.filter(is_active=True).count() == 1


def test_load_is_idempotent():
    demo.load()
    kid = SigningKey.objects.get().kid

    demo.load()

    assert ServiceProvider.objects.count() == 1
    assert SigningKey.objects.get().kid == kid


def test_the_client_secret_is_stored_only_as_a_digest():
    provider = demo.load()

    assert demo.DEMO_CLIENT_SECRET not in provider.secret_hash
    assert provider.check_client_secret(demo.DEMO_CLIENT_SECRET)
    assert not provider.check_client_secret(demo.DEMO_CLIENT_SECRET[:-1])


def test_a_client_secret_shorter_than_32_characters_is_refused():
    with pytest.raises(ValueError, match="au moins 32 caractères"):
        service_provider_register(
            client_id="court",
            name="Secret trop court",
            secret="trop-court",
            redirect_uris=[],
            post_logout_redirect_uris=[],
        )
    assert not ServiceProvider.objects.exists()
