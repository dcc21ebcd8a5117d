import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from conseillers.models import Post
from conseillers.tasks import flag_long_vacancies
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_the_vacancy_task_is_scheduled_daily_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["conseillers-flag-long-vacancies"]
    assert entry["task"] == "conseillers.tasks.flag_long_vacancies"


def test_the_vacancy_task_flags_each_long_vacancy_once():
    structure = StructureFactory()
    today = timezone.localdate()
    old = Post.objects.create(
        structure=structure, vacant_since=today - datetime.timedelta(days=200)
    )
    recent = Post.objects.create(
        structure=structure, vacant_since=today - datetime.timedelta(days=30)
    )
    assert flag_long_vacancies.delay().get() == 1
    assert flag_long_vacancies.delay().get() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.flagged_at is not None
    assert recent.flagged_at is None


def test_flagged_posts_are_shown_to_anct_on_the_envelopes_page(client, anct):
    structure = StructureFactory(name="Commune de Vacance")
    Post.objects.create(
        structure=structure, vacant_since=datetime.date(2025, 1, 2), flagged_at=timezone.now()
    )
    client.force_login(anct)
    page = client.get("/conseillers/enveloppes/").content.decode()
    assert "Postes vacants depuis plus de 6 mois" in page
    assert "Commune de Vacance" in page
