"""Counting the round trips a request makes to Redis (a spy on redis-py's two doors)."""

import pytest


@pytest.fixture
def redis_trips(monkeypatch):
    """The commands sent to Redis from now on (a pipeline counts once, as "execute");
    skips the test on the embedded default, which has no Redis."""
    from django.core.cache import caches
    from redis.client import Pipeline, Redis

    from practice.cache import FailOpenRedisCache

    if not isinstance(caches["default"], FailOpenRedisCache):
        pytest.skip("the embedded default keeps its cache in memory: set REDIS_URL")
    trips = []

    def spy(cls, name):
        original = getattr(cls, name)

        def counted(self, *args, **kwargs):
            trips.append(args[:1] or name)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, counted)

    spy(Redis, "execute_command")
    spy(Pipeline, "execute")
    return trips
