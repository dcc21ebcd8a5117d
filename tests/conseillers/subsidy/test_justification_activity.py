"""A tranche justified by the activity of its post: the pre-filled figures are those of the
records of each holder over the tranche's period; the structure submits the generated report;
ANCT sees the figures, and a post without activity is flagged on its list."""

import datetime

import pytest
from django.urls import reverse

from conseillers.activity.models import Theme
from conseillers.subsidy.activity import tranche_activity
from conseillers.subsidy.models import DocumentKind, Tranche, TrancheState
from tests.conseillers.activity.factories import ActivityFactory
from tests.conseillers.subsidy.helpers import Career, months_ago, pdf

DAY = datetime.timedelta(days=1)


@pytest.fixture
def holders(structure, gestionnaire, anct):
    """One post: A from 14 months ago, left 9 months ago, B from then on (no vacancy)."""
    career = Career(structure=structure, manager=gestionnaire, anct=anct, posts=1)
    first = career.recruit(months_ago(14))
    career.rupture(first, months_ago(9) - DAY)
    second = career.recruit(months_ago(9))
    tranche = Tranche.objects.get(subvention=career.subvention(second), rank=2)
    return first, second, tranche


def _record(match, day, **fields):
    activity = ActivityFactory(match=match, date=day, **fields)
    activity.themes.set(Theme.objects.order_by("order")[:1])
    return activity


def test_the_prefilled_figures_are_each_holders_records_over_the_period(holders):
    first, second, tranche = holders
    assert tranche.state == TrancheState.DUE
    start = tranche.subvention.started_on
    _record(first, start)
    _record(first, start + 10 * DAY, duration_minutes=90)
    workshop = {"kind": "collectif", "autonomy": "", "participants": 5, "age_35_60": 5}
    _record(second, months_ago(9), **workshop, status_employed=5, duration_minutes=120)
    _record(second, tranche.due_on - DAY)
    _record(second, tranche.due_on)  # the next tranche's period
    activity = tranche_activity(tranche)
    assert (activity.period.start, activity.period.end) == (start, tranche.due_on - DAY)
    assert [(h.name, h.stats.total.activities) for h in activity.holders] == [
        (str(first.candidat), 2),
        (str(second.candidat), 2),
    ]
    assert activity.holders[0].period.end == months_ago(9) - DAY
    assert activity.holders[1].period.start == months_ago(9)
    total = activity.total
    assert (total.activities, total.collective, total.people) == (4, 1, 8)
    assert total.duration_minutes == 45 + 90 + 120 + 45
    assert not activity.no_activity


def test_the_structure_submits_the_generated_report_and_anct_sees_the_figures(
    client, holders, gestionnaire, anct
):
    _, second, tranche = holders
    _record(second, months_ago(3))
    client.force_login(gestionnaire)
    page = client.get(reverse("conseillers:subsidy-tranche", args=[tranche.pk]))
    assert "Activité du poste sur la période" in page.content.decode()
    assert page.context["activity"].total.activities == 1
    report = client.get(
        reverse("conseillers:subsidy-tranche-activity-report-pdf", args=[tranche.pk])
    )
    assert report["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF")
    # Only the payslips are uploaded: the pre-filled report goes with them.
    action = reverse("conseillers:subsidy-tranche-action", args=[tranche.pk, "justifier"])
    response = client.post(action, {"pieces-bulletins_salaire": pdf(), "pieces-comment": ""})
    assert response.status_code == 302
    tranche.refresh_from_db()
    assert tranche.state == TrancheState.SUBMITTED
    documents = {d.kind: d for d in tranche.justifications.get().documents.all()}
    assert set(documents) == {DocumentKind.ACTIVITY_REPORT, DocumentKind.PAYSLIPS}
    with documents[DocumentKind.ACTIVITY_REPORT].file.open("rb") as report_file:
        assert report_file.read().startswith(b"%PDF")
    client.force_login(anct)
    approvals = client.get(reverse("conseillers:subsidy-approvals")).content.decode()
    assert "Aucune activité sur la période" not in approvals
    detail = client.get(reverse("conseillers:subsidy-tranche", args=[tranche.pk]))
    assert detail.context["activity"].total.activities == 1


def test_a_post_without_activity_is_flagged_to_anct(client, holders, gestionnaire, anct):
    _, second, tranche = holders
    _record(second, tranche.due_on + DAY)  # after the period: does not count
    client.force_login(gestionnaire)
    action = reverse("conseillers:subsidy-tranche-action", args=[tranche.pk, "justifier"])
    client.post(action, {"pieces-bulletins_salaire": pdf(), "pieces-comment": ""})
    client.force_login(anct)
    approvals = client.get(reverse("conseillers:subsidy-approvals")).content.decode()
    assert "Aucune activité sur la période" in approvals
    detail = client.get(reverse("conseillers:subsidy-tranche", args=[tranche.pk]))
    assert detail.context["activity"].no_activity
    assert (
        "Aucun compte rendu d'activité n'a été enregistré pour ce poste" in detail.content.decode()
    )


def test_a_tranche_without_justification_has_no_activity_report(client, holders, gestionnaire):
    _, second, _ = holders
    first_tranche = Tranche.objects.get(subvention__holder=second, rank=1)
    assert tranche_activity(first_tranche) is None
    client.force_login(gestionnaire)
    url = reverse("conseillers:subsidy-tranche-activity-report-pdf", args=[first_tranche.pk])
    assert client.get(url).status_code == 404
