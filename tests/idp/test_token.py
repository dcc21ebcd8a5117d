"""The back channel over real HTTP: what the token endpoint refuses, and what a refusal costs."""

from datetime import timedelta

import pytest
from authlib.integrations.base_client import OAuthError
from django.utils import timezone

from idp.models import AccessToken, AuthorizationCode
from mandats.models import Demarche, JournalAction, JournalEntry
from tests.idp.service import path_of, query_of


def social(mandat):
    return mandat.autorisations.get(demarche=Demarche.SOCIAL)


def uses() -> int:
    return JournalEntry.objects.filter(action=JournalAction.AUTORISATION_USED).count()


def test_a_wrong_secret_is_refused(service, aidant_browser, mandat):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    service.switch("mauvais-secret-" * 3, "client_secret_basic")

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_client"
    assert uses() == 0


def test_a_reused_code_is_refused_and_what_it_issued_is_revoked(service, aidant_browser, mandat):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    token = service.exchange(transaction, callback)

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_grant"
    assert AccessToken.objects.get().revoked_at is not None
    assert service.userinfo(token["access_token"]).status_code == 401
    assert uses() == 1


def test_an_expired_code_is_refused(service, aidant_browser, mandat):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_grant"
    assert uses() == 0


def test_codes_live_sixty_seconds(service, aidant_browser, mandat):
    transaction = service.start()
    service.choose(aidant_browser, transaction, social(mandat).pk)

    left = AuthorizationCode.objects.get().expires_at - timezone.now()
    assert timedelta(seconds=50) < left <= timedelta(seconds=60)


def test_a_pkce_mismatch_is_refused(service, aidant_browser, mandat):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    transaction.verifier = "un-autre-verificateur-" * 3

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_grant"
    assert uses() == 0


@pytest.mark.parametrize("change", ["revoked", "expired"])
def test_an_autorisation_ended_between_authorize_and_token_gives_no_token(
    service, aidant_browser, mandat, change
):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    if change == "revoked":
        mandat.autorisations.update(revoked_at=timezone.now())
    else:
        type(mandat).objects.filter(pk=mandat.pk).update(
            created_at=timezone.now() - timedelta(days=2),
            expires_at=timezone.now() - timedelta(seconds=1),
        )

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_grant"
    assert not AccessToken.objects.exists()
    assert uses() == 0


def test_an_unknown_access_token_gets_401_at_userinfo(service):
    response = service.userinfo("jeton-inconnu-" * 3)

    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_every_successful_use_is_journaled_once(service, aidant_browser, mandat):
    service.login(aidant_browser, social(mandat).pk)
    service.login(aidant_browser, social(mandat).pk)

    assert uses() == 2


def test_an_unknown_client_is_refused_at_the_token_endpoint(service, aidant_browser, mandat):
    transaction = service.start()
    callback = service.choose(aidant_browser, transaction, social(mandat).pk)
    service.client_id = "service-inconnu"
    service.switch(service.secret, "client_secret_post")

    with pytest.raises(OAuthError) as refused:
        service.exchange(transaction, callback)

    assert refused.value.error == "invalid_client"
    assert uses() == 0


def test_a_replayed_nonce_is_refused_at_authorize(service, aidant_browser, mandat):
    first = service.start()
    service.exchange(first, service.choose(aidant_browser, first, social(mandat).pk))
    replay = service.start()
    replay.url = replay.url.replace(replay.nonce, first.nonce)

    response = aidant_browser.get(path_of(replay.url))

    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"
