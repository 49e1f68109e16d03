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
