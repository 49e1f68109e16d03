"""The cache fails open: with Redis away, each process falls back to its own memory.

Redis is the cache and the broker in the compose layout. When it stops, a
cache call that raised would turn every page and booking into a 500 (the rate
limits and the feeds read the cache on every request). Instead each call that
cannot reach Redis is answered from a small in-process cache (Django's
LocMemCache), and Redis is tried again after ``RETRY_SECONDS``:

- rate limits (DRF's throttles) keep counting, per process rather than across
  the whole site (so with N gunicorn workers a client gets up to N times the
  limit) until Redis is back, when the shared counts take over again;
- cached feed bodies and events are rebuilt on first use, as on a cold start
  (their keys name the content they hold, so nothing stale comes back later).
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0

_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call (a few hundred
    Python calls each time); the rate limits make two such calls on every API
    request. The client holds no connection of its own (they are the pool's)
    and is safe to share between threads, so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answered from local memory while Redis cannot be reached."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a request must not wait seconds for a Redis that is down.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._local = LocMemCache("fail-open", {"OPTIONS": {"MAX_ENTRIES": 2000}})
        self._down_until = 0.0

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> None:
        """Raise if Redis cannot be reached now (for /readyz)."""
        self._cache.get_client(write=False).ping()


def _fail_open(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not self.redis_down:
            try:
                return redis_method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                log.warning("Cache unreachable (%s); using local memory", type(exc).__name__)
                self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _OPERATIONS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name))
