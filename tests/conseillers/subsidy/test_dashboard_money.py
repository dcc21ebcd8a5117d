"""The territorial dashboard's two money figures agree with the budget page, scope by scope."""

import re

import pytest
from django.utils import timezone

from conseillers.dashboard.snapshot import dashboard_refresh
from conseillers.subsidy.dashboard import headline_figures
from conseillers.subsidy.dashboard import money as dashboard_money
from conseillers.subsidy.math import euros
from conseillers.subsidy.selectors import budget
from tests.conseillers.subsidy.test_budget import money  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("codes", [None, frozenset({"37"}), frozenset({"33"}), frozenset({"41"})])
def test_committed_and_net_paid_are_those_of_the_budget(money, today, codes):  # noqa: F811
    total = budget(codes, today).total
    figures = dashboard_money(codes)
    assert figures.committed_cents == total.committed
    assert figures.net_paid_cents == total.paid - total.recovered


def test_the_dashboard_leads_with_them(client, anct, money, today):  # noqa: F811
    client.force_login(anct)
    page = client.get("/conseillers/tableau-de-bord/").content.decode()
    total = budget(None, today).total
    assert total.committed > 0 and total.paid - total.recovered != 0
    assert re.search(rf"Budget engagé</dt>\s*<dd[^>]*>{euros(total.committed)}<", page)
    net = euros(total.paid - total.recovered)
    assert re.search(rf"Budget versé \(net des reversements\)</dt>\s*<dd[^>]*>{net}<", page)


@pytest.mark.parametrize("codes", [None, frozenset({"37"}), frozenset({"33", "41"})])
def test_the_headline_figures_read_the_last_refresh(money, codes):  # noqa: F811
    dashboard_refresh(now=timezone.now())
    figures = dashboard_money(codes)

    assert headline_figures(codes) == [
        ("Budget engagé", euros(figures.committed_cents)),
        ("Budget versé (net des reversements)", euros(figures.net_paid_cents)),
    ]
