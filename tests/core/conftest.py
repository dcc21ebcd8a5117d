from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import cache
from django.db.models import F


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    """DRF's request-rate throttles count in the process-wide cache: each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


def age_login_records(**delta: float) -> None:
    """Moves the clock of the login policy: every failure recorded so far happened `delta`
    earlier."""
    shift = timedelta(**delta)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - shift)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - shift)
