import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def sub_of(rp, identity: str) -> str:
    params, token = rp.tokens_for(identity)
    return rp.verify(token["id_token"], nonce=params["nonce"]).claims["sub"]


def test_one_client_always_gets_the_same_sub_for_an_identity(rp):
    assert sub_of(rp, "testfc1") == sub_of(rp, "testfc1")


def test_two_clients_get_different_subs_for_the_same_identity(rp, other_rp):
    assert sub_of(rp, "testfc1") != sub_of(other_rp, "testfc1")


def test_two_identities_get_different_subs_from_one_client(rp):
    assert sub_of(rp, "testfc1") != sub_of(rp, "3_melaine")


def test_the_sub_looks_like_franceconnect_s(rp):
    sub = sub_of(rp, "testfc1")

    assert len(sub) == 66
    assert sub.endswith("v1")
    assert "testfc1" not in sub
