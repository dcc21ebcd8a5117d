"""The money dashboard: committed, paid, recovered and forecast per département, per month and in
total, training costs as their own line, an inline SVG forecast chart, CSV exports; ANCT sees the
nation, a préfecture its territory, nobody else."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conseillers.models import Training
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.math import add_months
from conseillers.subsidy.selectors import budget
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.factories import MembershipFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = "/conseillers/subventions/budget/"


@pytest.fixture
def money(career, other_structure, anct, today):
    """Indre-et-Loire: one post paid 20,000 € then closed (recovery 13,750 €), one running; a
    Gironde post too. A training of 3,150 € for the running post's conseiller."""
    start = months_ago(20, today)
    closed = career.recruit(start)
    running = career.recruit(months_ago(2, today))
    career.pay(career.tranches(closed)[0], "BDT-1", start)
    career.rupture(closed, add_months(start, 3))
    subsidy.subventions_reconcile(today=today)
    Training.objects.create(
        candidat=running.candidat,
        initial_hours=210,
        started_on=months_ago(1, today),
        cost=Decimal("3150.00"),
    )
    gironde = Career(
        structure=other_structure,
        manager=MembershipFactory(structure=other_structure).user,
        anct=anct,
    )
    gironde.recruit(months_ago(2, today))
    return closed, running


def test_the_national_figures_add_up_per_departement(money, today):
    figures = budget(None, today)
    rows = {row.key: row for row in figures.departements}
    assert set(rows) == {"37", "33"}
    indre = rows["37"]
    # Closed post: 6,250 € earned, so tranche 1 paid (20,000 €), the rest cancelled.
    assert indre.committed == 2_000_000 + 5_000_000
    assert indre.paid == 2_000_000
    assert indre.recovered == 1_375_000
    assert indre.forecast == 5_000_000
    assert indre.training == 315_000
    assert figures.total.committed == 12_000_000
    assert figures.total.forecast == 10_000_000
    assert figures.total.net_paid == 625_000


def test_the_months_place_each_amount_once(money, today):
    figures = budget(None, today)
    assert sum(row.committed for row in figures.months) == figures.total.committed
    assert sum(row.paid for row in figures.months) == figures.total.paid
    assert sum(row.forecast for row in figures.months) == figures.total.forecast
    this_month = today.replace(day=1).isoformat()
    current = next(row for row in figures.months if row.key == this_month)
    assert current.forecast >= 4_000_000  # both running posts' overdue first tranches


def test_anct_sees_the_page_with_its_chart_and_no_script(client, anct, money):
    client.force_login(anct)
    page = client.get(URL).content.decode()
    assert "Budget des subventions" in page
    assert '<svg role="img"' in page
    assert "Prévision des paiements de subventions par mois — France entière" in page
    assert "Formation initiale" in page
    assert "3\u202f150,00 €" in page
    assert "<script>" not in page.split("<svg")[1].split("</svg>")[0]


def test_a_prefecture_sees_only_its_territory(client, prefecture_37, money, today):
    client.force_login(prefecture_37)
    page = client.get(URL).content.decode()
    assert "37 – Indre-et-Loire" in page
    assert "33 – Gironde" not in page


@pytest.mark.parametrize("persona", ["gestionnaire", "outsider", "colleague"])
def test_structures_do_not_see_the_budget(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}export.csv").status_code == 403


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_exports_per_departement_and_per_month(client, anct, money):
    client.force_login(anct)
    rows = _csv(client.get(f"{URL}export.csv"))
    assert rows[0] == [
        "Territoire",
        "Engagé (€)",
        "Payé (€)",
        "Reversements (€)",
        "Reste à payer (€)",
        "Formation (€)",
    ]
    assert [
        "37 – Indre-et-Loire",
        "70000,00",
        "20000,00",
        "13750,00",
        "50000,00",
        "3150,00",
    ] in rows
    assert rows[-1][0] == "France entière"
    months = _csv(client.get(f"{URL}export.csv?table=mois"))
    assert months[0][0] == "Mois"
    assert len(months) > 2


def test_the_dashboard_costs_the_same_queries_whatever_the_data(client, anct, money, today):
    client.force_login(anct)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    bigger = StructureFactory(departement_id="23")
    more = Career(structure=bigger, manager=MembershipFactory(structure=bigger).user, anct=anct)
    for _ in range(3):
        match = more.recruit(months_ago(14, today))
        more.pay(more.tranches(match)[0], f"BDT-{match.pk}", today)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_the_chart_spans_24_months_from_the_current_one(client, anct, money, today):
    client.force_login(anct)
    response = client.get(URL)
    chart = response.context["chart"]
    assert len(chart.bars) == 24
    assert chart.bars[0].label.endswith(str(today.year))
    assert all(0 <= bar.width <= 760 for bar in chart.bars)
    assert max(bar.width for bar in chart.bars) > 0
