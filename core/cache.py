"""The Redis cache, degraded to misses while Redis is unreachable.

Nothing the product keeps in the cache is needed to answer a request (DRF's request-rate counts,
computed values): a cache that cannot be reached answers like an empty one, and a write to it is
dropped, so that a Redis outage never becomes an error page. Its socket timeouts are short (set in
`CACHES`), so a Redis that hangs costs a request a fraction of a second, not a worker.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)
# One log line per process and per minute is enough to tell that Redis is down.
LOG_EVERY_SECONDS = 60.0
_last_logged = 0.0

T = TypeVar("T")


def _degrade(call: Callable[[], T], fallback: T) -> T:
    global _last_logged
    try:
        return call()
    except UNREACHABLE as exc:
        now = time.monotonic()
        if now - _last_logged >= LOG_EVERY_SECONDS:
            _last_logged = now
            logger.warning("Cache Redis injoignable (%s) : lu comme vide.", exc.__class__.__name__)
        return fallback


def _degrading(method: Callable[..., Any], fallback: Any) -> Callable[..., Any]:
    @functools.wraps(method)
    def degrading(self: RedisCacheClient, *args: Any) -> Any:
        return _degrade(lambda: method(self, *args), fallback)

    return degrading


_UNREACHABLE_INCR = object()


class DegradingRedisCacheClient(RedisCacheClient):
    # What an empty cache answers, for each operation; a write is dropped.
    add = _degrading(RedisCacheClient.add, False)
    set = _degrading(RedisCacheClient.set, None)
    touch = _degrading(RedisCacheClient.touch, False)
    delete = _degrading(RedisCacheClient.delete, False)
    get_many = _degrading(RedisCacheClient.get_many, {})
    has_key = _degrading(RedisCacheClient.has_key, False)
    set_many = _degrading(RedisCacheClient.set_many, [])
    delete_many = _degrading(RedisCacheClient.delete_many, None)
    clear = _degrading(RedisCacheClient.clear, False)

    def get(self, key: Any, default: Any) -> Any:
        return _degrade(lambda: RedisCacheClient.get(self, key, default), default)

    def incr(self, key: Any, delta: int) -> Any:
        value = _degrade(lambda: RedisCacheClient.incr(self, key, delta), _UNREACHABLE_INCR)
        if value is _UNREACHABLE_INCR:
            raise ValueError(f"Key '{key}' not found.")  # as for a key an empty cache lacks
        return value


class DegradingRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` whose operations degrade to misses while
    Redis is unreachable (see the module's docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
