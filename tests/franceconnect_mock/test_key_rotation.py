import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from joserfc import jwt

from franceconnect_mock.models import SigningKey

pytestmark = pytest.mark.django_db(transaction=True)


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_franceconnect_mock_keys", *args, stdout=out)
    return out.getvalue()


def kids(rp) -> set[str]:
    return {key.kid for key in rp.jwks().keys}


def id_token_kid(rp) -> str:
    _, token = rp.tokens_for("testfc1")
    return jwt.decode(token["id_token"], rp.jwks(), algorithms=["ES256"]).header["kid"]


def test_the_signing_key_is_kept_in_the_database_across_requests(rp):
    first = kids(rp)

    assert kids(rp) == first
    assert set(SigningKey.objects.values_list("kid", flat=True)) == first
    assert len(first) == 1


def test_jwks_publishes_public_keys_only(rp):
    for key in rp.jwks().keys:
        assert key.as_dict(private=False).keys() >= {"kty", "crv", "x", "y", "kid", "alg"}
        assert key.is_private is False


def test_after_rotation_new_tokens_use_the_new_kid_and_the_old_key_stays_published(rp):
    old_kid = id_token_kid(rp)

    output = rotate()

    new_kid = SigningKey.objects.get(is_active=True).kid
    assert new_kid != old_kid
    assert new_kid in output
    assert kids(rp) == {old_kid, new_kid}
    assert id_token_kid(rp) == new_kid
    _, token = rp.tokens_for("testfc1")
    userinfo = rp.userinfo(token["access_token"]).text
    assert jwt.decode(userinfo, rp.jwks(), algorithms=["ES256"]).header["kid"] == new_kid


def test_a_retired_key_leaves_jwks_once_expired(rp):
    old_kid = id_token_kid(rp)
    rotate()
    old = SigningKey.objects.get(kid=old_kid)
    assert old.expires_at - timezone.now() > timedelta(hours=23)

    # A day later, as the database sees it.
    SigningKey.objects.filter(kid=old_kid).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert old_kid not in kids(rp)
    assert len(kids(rp)) == 1


def test_a_rotation_without_grace_retires_the_old_key_at_once(rp):
    old_kid = id_token_kid(rp)

    rotate("--grace-hours", "0")

    assert old_kid not in kids(rp)


def test_only_one_key_is_active_at_a_time(rp):
    rotate()
    rotate()

    assert SigningKey.objects.filter(is_active=True).count() == 1
    assert len(kids(rp)) == 3
