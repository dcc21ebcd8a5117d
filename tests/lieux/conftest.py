import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The open-data export is cached: each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()
