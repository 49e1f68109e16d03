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
import secrets
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


class ReusedClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call; building one copies
    its ~170 response callbacks, which cost more than the call's round trip
    (a rate-limited request makes two or three calls). A ``redis.Redis`` is
    safe to share between threads (each command takes a pooled connection),
    and after a fork its pool opens new connections (redis-py checks the pid).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answered from local memory while Redis cannot be reached."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a request must not wait seconds for a Redis that is down.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, params)
        self._class = ReusedClient
        self._local = LocMemCache("fail-open", {"OPTIONS": {"MAX_ENTRIES": 2000}})
        self._scripts = {}
        self._down_until = 0.0

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> None:
        """Raise if Redis cannot be reached now (for /readyz)."""
        self._cache.get_client(write=False).ping()

    def hit_log_add(
        self, key: str, now: float, duration: int, read: str | None = None
    ) -> tuple[int, float, str, object]:
        """``hit_log_add`` in one round trip to Redis: a script on a sorted set, atomic."""
        hit = _hit_id(now)
        if not self.redis_down:
            try:
                log_key = self.make_and_validate_key(key)
                client = self._cache.get_client(log_key, write=True)
                script = self._scripts.get(id(client))
                if script is None:
                    script = self._scripts[id(client)] = client.register_script(_HIT_LOG_ADD)
                keys = [log_key] if read is None else [log_key, self.make_and_validate_key(read)]
                count, oldest, *value = script(keys=keys, args=[repr(now), duration, hit])
                value = value[0] if value else None
                if value is not None:
                    value = self._cache._serializer.loads(value)
                return count, float(oldest), hit, value
            except UNREACHABLE as exc:
                self._unreachable(exc)
        return _local_hit_log_add(self._local, key, now, duration, hit, read)

    def hit_log_remove(self, key: str, hit: str, duration: int) -> None:
        if not self.redis_down:
            try:
                log_key = self.make_and_validate_key(key)
                self._cache.get_client(log_key, write=True).zrem(log_key, hit)
                return
            except UNREACHABLE as exc:
                self._unreachable(exc)
        _local_hit_log_remove(self._local, key, hit, duration)

    def _unreachable(self, exc: Exception) -> None:
        log.warning("Cache unreachable (%s); using local memory", type(exc).__name__)
        self._down_until = time.monotonic() + RETRY_SECONDS


# KEYS[1]: the log, KEYS[2] (optional): a key to read; ARGV: now, duration (seconds),
# this hit's id. Returns the count, the oldest hit's time and, if asked, KEYS[2]'s value
# (nil ends a Lua array, so a missing value is simply not there).
_HIT_LOG_ADD = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local answer = {redis.call('ZCARD', KEYS[1]), oldest[2]}
if KEYS[2] then
    answer[3] = redis.call('GET', KEYS[2])
end
return answer
"""


def hit_log_add(
    cache, key: str, now: float, duration: int, read: str | None = None
) -> tuple[int, float, str, object]:
    """Log a hit at ``now`` (seconds) under ``key``, forgetting hits older than
    ``duration`` seconds: (hits in the last ``duration`` seconds with this one, the
    oldest one's time, this hit's id for ``hit_log_remove``, and the cached value
    under ``read`` if one is named, else None).

    For the rate limits (practice/ratelimit.py): DRF's sliding log of timestamps, in
    one round trip on Redis (a sorted set, so two hits at once are both counted), with
    what the request reads next in the same trip; any other cache (local memory on
    the embedded default) keeps the list in-process.
    """
    if hasattr(cache, "hit_log_add"):  # a FailOpenRedisCache, or django.core.cache's proxy
        return cache.hit_log_add(key, now, duration, read)
    return _local_hit_log_add(cache, key, now, duration, _hit_id(now), read)


def hit_log_remove(cache, key: str, hit: str, duration: int) -> None:
    """Take a hit logged by ``hit_log_add`` back out."""
    if hasattr(cache, "hit_log_remove"):
        cache.hit_log_remove(key, hit, duration)
    else:
        _local_hit_log_remove(cache, key, hit, duration)


def _hit_id(now: float) -> str:
    return f"{now!r}:{secrets.token_hex(4)}"


def _local_hit_log_add(cache, key, now, duration, hit, read) -> tuple[int, float, str, object]:
    hits = [(at, other) for at, other in cache.get(key, []) if at > now - duration]
    hits.append((now, hit))
    cache.set(key, hits, duration)
    return len(hits), min(at for at, _ in hits), hit, None if read is None else cache.get(read)


def _local_hit_log_remove(cache, key, hit, duration) -> None:
    hits = cache.get(key)
    if hits:
        cache.set(key, [(at, other) for at, other in hits if other != hit], duration)


def _fail_open(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not self.redis_down:
            try:
                return redis_method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._unreachable(exc)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _OPERATIONS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name))
