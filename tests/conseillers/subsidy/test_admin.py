"""The subsidy admin (registered once conseillers/admin.py imports conseillers.subsidy_admin):
a regime is editable until a convention uses it; the ledgers are read only."""

import pytest
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory

from conseillers.subsidy import admin as subsidy_admin
from conseillers.subsidy.models import Payment, Regime
from tests.conseillers.subsidy.helpers import months_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(anct):
    request = RequestFactory().get("/admin/")
    request.user = anct
    return request


def test_a_regime_is_editable_until_a_convention_uses_it(career, today, france_relance, request_):
    admin = subsidy_admin.RegimeAdmin(Regime, AdminSite())
    assert admin.get_readonly_fields(request_, france_relance) == []
    career.recruit(months_ago(1, today))
    assert "duration_months" in admin.get_readonly_fields(request_, france_relance)
    assert not admin.has_delete_permission(request_, france_relance)


def test_payments_are_read_only_in_the_admin(request_):
    admin = subsidy_admin.PaymentAdmin(Payment, AdminSite())
    assert not admin.has_add_permission(request_)
    assert not admin.has_change_permission(request_)
    assert not admin.has_delete_permission(request_)
