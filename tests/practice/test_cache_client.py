"""The Redis cache builds its client once per connection pool, not once per call."""

import pytest
from django.conf import settings
from django.core.cache import caches

from practice.cache import FailOpenRedisCache


def _cache():
    # Building a client opens no connection: no Redis is needed here.
    return FailOpenRedisCache("redis://127.0.0.1:6379/0", {})


def test_every_cache_call_shares_one_client():
    client = _cache()._cache
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client(write=True) is client.get_client("c", write=True)


def test_the_shared_client_uses_the_caches_connection_pool():
    client = _cache()._cache
    assert client.get_client().connection_pool is client._get_connection_pool(False)


@pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (set REDIS_URL): the embedded default has none"
)
def test_the_shared_client_still_reads_its_writes():
    cache = caches["default"]
    assert isinstance(cache, FailOpenRedisCache)
    client = cache._cache.get_client(write=True)
    cache.set("reused-client", 42)
    assert cache.get("reused-client") == 42
    assert cache.incr("reused-client") == 43
    assert cache._cache.get_client("reused-client", write=False) is client


def test_with_redis_away_the_rate_limits_count_in_local_memory():
    """Nothing listens on port 9 of loopback: every call fails fast, counts go on."""
    from practice.cache import hit_log_add, hit_log_remove

    away = FailOpenRedisCache("redis://127.0.0.1:9/0", {})
    counts = [hit_log_add(away, "throttle_test:log", 100.0 + n, 60)[0] for n in range(3)]
    assert counts == [1, 2, 3]
    assert away.redis_down
    count, oldest, hit, _ = hit_log_add(away, "throttle_test:log", 161.5, 60)
    assert (count, oldest) == (2, 102.0)  # the hits at 100 and 101 slid out
    hit_log_remove(away, "throttle_test:log", hit, 60)
    assert hit_log_add(away, "throttle_test:log", 161.6, 60)[0] == 2
