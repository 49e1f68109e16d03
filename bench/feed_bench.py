"""Benchmark: a therapist's calendar feed with 1,500 and 10,000 events, built and answered 304.

In-process through Django's test client (no network), on the database that
DATABASE_URL names (a throwaway test database is created).

Usage:
  .venv/bin/python bench/feed_bench.py
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/booking .venv/bin/python bench/feed_bench.py
Figures go to docs/performance.md.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# In-process over plain HTTP: no redirect to HTTPS.
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.fixtures import bulk_appointments  # noqa: E402
from booking.feeds import feeds  # noqa: E402
from booking.models import Appointment, FeedKind  # noqa: E402
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory  # noqa: E402

EVENTS = (1_500, 10_000)  # a busy therapist's window; the old stress case
REPEATS = 15


def cache_name() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def median_ms(fn) -> float:
    fn()
    samples = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    try:
        session_type = SessionTypeFactory(duration_minutes=15)
        practice = session_type.practice
        clients = [ClientFactory(practice=practice) for _ in range(200)]
        print(f"database {connection.vendor}, cache {cache_name()}")
        for events in EVENTS:
            measure(session_type, clients, events)
    finally:
        teardown_databases(old, verbosity=0)


def measure(session_type, clients, events: int) -> None:
    practice = session_type.practice
    therapist = TherapistFactory(practice=practice, offers=[session_type])
    # Sessions inside the feed's window (90 days back to 365 ahead).
    bulk_appointments(
        therapist=therapist,
        session_type=session_type,
        clients=clients,
        first=timezone.now() - timedelta(days=80),
        every=timedelta(minutes=60),
        count=events,
    )
    feed = feeds.feed_get_or_create(kind=FeedKind.THERAPIST, practice=practice, therapist=therapist)
    path = "/calendar/" + feeds.feed_urls(feed)["https"].rsplit("/calendar/", 1)[1]
    http = Client()
    response = http.get(path)
    assert response.status_code == 200
    size = len(response.content)
    now = timezone.now()
    print(f"\n{events:,} events, feed {size / 1e6:.2f} MB")
    print(f"{'what':<44} {'median ms':>10}")

    def cold():
        cache.clear()
        feeds.feed_build(feed, now)

    def cold_get():
        cache.clear()
        assert http.get(path).status_code == 200

    one = Appointment.objects.filter(therapist=therapist).order_by("start")[events // 2]

    def one_change_then_get():
        # A reschedule-like change: one event's text differs, the rest are cached.
        Appointment.objects.filter(pk=one.pk).update(sequence=F("sequence") + 1)
        assert http.get(path).status_code == 200

    rows = [
        ("build, nothing cached (feed_build)", cold),
        ("GET 200, nothing cached", cold_get),
        ("GET 200, body cached", lambda: http.get(path)),
        ("GET 200 after one session changed", one_change_then_get),
    ]
    for label, fn in rows:
        print(f"{label:<44} {median_ms(fn):>10.1f}")
    etag = http.get(path)["ETag"]
    rows = [("GET If-None-Match, 304", lambda: http.get(path, HTTP_IF_NONE_MATCH=etag))]
    for label, fn in rows:
        print(f"{label:<44} {median_ms(fn):>10.1f}")


if __name__ == "__main__":
    main()
