"""The demo's background machinery, as `make run` starts it: a real `celery worker -B` process on
kombu's filesystem transport (no broker server) executes what the web side enqueues, and its beat
reconciles the subsidies on the demo's short schedule, so a rupture's recovery appears by itself."""

import uuid
from pathlib import Path

import pytest

from backend.celery import app as celery_app
from conseillers.subsidy.math import add_months
from conseillers.subsidy.models import Recovery, SubventionState
from core.models import WorkerHeartbeat
from core.tasks import record_worker_heartbeat
from tests.conseillers.subsidy.helpers import Career, months_ago
from tests.workers import start_worker, stop_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def transport_options(var_dir: Path) -> dict[str, str]:
    """The folders backend/settings.py gives the filesystem transport under VAR_DIR."""
    folder = var_dir / "celery-broker"
    return {
        "data_folder_in": str(folder / "messages"),
        "data_folder_out": str(folder / "messages"),
        "control_folder": str(folder / "control"),
    }


@pytest.fixture
def demo_worker(tmp_path, transactional_db):
    """The worker and beat of `make run`, on their own broker folder and the test database."""
    # What the settings of the web side create, before the test publishes into it.
    Path(transport_options(tmp_path)["data_folder_in"]).mkdir(parents=True)
    worker = start_worker(
        "celery",
        broker_url="filesystem://",
        beat=True,
        env={"VAR_DIR": str(tmp_path), "DEMO_RECONCILE_SECONDS": "1"},
    )
    yield tmp_path
    stop_worker(worker)


def test_the_demo_worker_runs_a_task_enqueued_by_the_web_side(demo_worker, monkeypatch):
    # The suite runs tasks in-process; the web side of the demo sends them to the broker.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    name = f"demo-{uuid.uuid4().hex[:8]}"
    options = transport_options(demo_worker)
    with celery_app.connection_for_write("filesystem://", transport_options=options) as conn:
        record_worker_heartbeat.apply_async(args=[name], connection=conn)

    wait_until(lambda: WorkerHeartbeat.objects.filter(name=name).exists())
    assert WorkerHeartbeat.objects.get(name=name).seen_at is not None


def test_the_demo_beat_turns_an_expired_vacancy_into_its_recovery(
    structure, gestionnaire, anct, demo_worker
):
    career = Career(structure=structure, manager=gestionnaire, anct=anct)
    start = months_ago(12)
    match = career.recruit(start)
    career.pay(career.tranches(match)[0], "BDT-1", start)
    career.rupture(match, add_months(start, 4))  # window of 6 months: over two months ago
    subvention = career.subvention(match)
    assert subvention.state == SubventionState.VACANT

    wait_until(lambda: Recovery.objects.filter(subvention=subvention).exists())
    recovery = Recovery.objects.get(subvention=subvention)
    assert recovery.amount_cents == 2_000_000 - 5_000_000 * 4 // 24
    subvention.refresh_from_db()
    assert subvention.state == SubventionState.CLOSED
