"""Settings of the site `bench/hot_paths.py` measures: the product's own, plus a bare JSON view
(`hot_paths_urls`) that goes through the same middleware and session without a query of its own:
the reference every hot path is a multiple of."""

from backend.settings import *  # noqa: F403 - the product's settings, unchanged

ROOT_URLCONF = "hot_paths_urls"
