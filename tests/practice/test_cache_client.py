"""The Redis cache builds its client once per connection pool (practice/cache.py)."""

import pytest
from django.conf import settings
from django.core.cache import caches

from practice.cache import FailOpenRedisCache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (set REDIS_URL): the embedded default has none"
)


def test_every_call_reuses_one_redis_client_and_still_reads_its_writes():
    cache = caches["default"]
    assert isinstance(cache, FailOpenRedisCache)
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    cache.set("reused-client", 42)
    assert cache.get("reused-client") == 42
    assert cache.incr("reused-client") == 43
    assert cache._cache.get_client("reused-client", write=True) is client
