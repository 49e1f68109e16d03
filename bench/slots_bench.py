"""Benchmark: slots for one therapist over N days with M existing appointments.

Two measurements:
  engine  - the pure slot engine (booking.slots.free_slots), no database;
  selector - booking.selectors.slot_list, read afresh (the versions, three reads
             and the engine) and from the slots cache, on the database
             DATABASE_URL names (a throwaway test database is created);
  requests - whole GET /api/v1/slots/ requests in-process, cache cold and warm.
With REDIS_URL the cache is Redis and the cold rows empty the Redis database it
names: never point it at a live one.

Usage:
  .venv/bin/python bench/slots_bench.py                 # SQLite
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/booking .venv/bin/python bench/slots_bench.py
Figures go to docs/performance.md.
"""

import os
import random
import statistics
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "0")  # in-process over plain HTTP: no redirect to HTTPS

import django  # noqa: E402

django.setup()

from booking.scheduling.slots import Request, Rules, free_slots  # noqa: E402

ZONE = ZoneInfo("America/New_York")
START = datetime(2027, 1, 4, 5, tzinfo=UTC)  # a Monday, 00:00 New York
REPEATS = 31


def median_ms(fn, repeats=REPEATS) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = clock.perf_counter()
        fn()
        times.append((clock.perf_counter() - t0) * 1000)
    return statistics.median(times)


def busy_spans(count: int, days: int, seed: int = 1) -> list:
    rng = random.Random(seed)
    spans = []
    for _ in range(count):
        s = START + timedelta(minutes=rng.randrange(days * 24 * 60 // 5) * 5)
        spans.append((s, s + timedelta(minutes=60)))
    return spans


def engine_case(days: int, appointments: int) -> tuple[float, int]:
    rules = Rules(
        zone=ZONE,
        weekly={d: [(time(8), time(12)), (time(13), time(20))] for d in range(6)},
        busy=busy_spans(appointments, days),
    )
    req = Request(
        duration=timedelta(minutes=50),
        step=timedelta(minutes=15),
        earliest=START,
        latest=START + timedelta(days=400),
        buffer_after=timedelta(minutes=10),
    )
    end = START + timedelta(days=days)
    found = free_slots(rules, req, START, end)
    return median_ms(lambda: free_slots(rules, req, START, end)), len(found)


def run_engine() -> None:
    print("engine: Mon-Sat 08:00-12:00 + 13:00-20:00, 50-min sessions every 15 min")
    print(f"{'days':>5} {'appointments':>13} {'median ms':>10} {'slots':>7}")
    for days in (7, 30, 90, 180):
        for appointments in (0, 1000, 5000, 20000):
            ms, n = engine_case(days, appointments)
            print(f"{days:>5} {appointments:>13} {ms:>10.2f} {n:>7}")


def run_selector() -> None:
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from bench.fixtures import bulk_appointments
    from booking.scheduling.selectors import slot_list
    from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory

    old = setup_databases(verbosity=0, interactive=False)
    try:
        short = SessionTypeFactory(duration_minutes=15, slot_step_minutes=15)
        practice = short.practice
        session_type = SessionTypeFactory(
            practice=practice,
            duration_minutes=50,
            slot_step_minutes=15,
            buffer_after_minutes=10,
            booking_horizon=timedelta(days=400),
            min_notice=timedelta(0),
        )
        therapist = TherapistFactory(
            practice=practice, offers=[short, session_type], weekday_hours=(time(8), time(20))
        )
        client = ClientFactory(practice=practice)
        # 5,000 non-overlapping 15-minute sessions, one every 25 minutes, all inside the window.
        bulk_appointments(
            therapist=therapist,
            session_type=short,
            clients=[client],
            first=START,
            every=timedelta(minutes=25),
            count=5000,
        )
        # A second therapist with 5,000 sessions spread over two years, as a
        # busy practice's history really looks: the window holds a few hundred.
        spread = TherapistFactory(
            practice=practice, offers=[short, session_type], weekday_hours=(time(8), time(20))
        )
        bulk_appointments(
            therapist=spread,
            session_type=short,
            clients=[client],
            first=START - timedelta(days=365),
            every=timedelta(minutes=210),
            count=5000,
        )
        now = START - timedelta(days=1)
        vendor = connection.vendor
        print(
            f"\nselector on {vendor}, cache {cache_name()}: one therapist, 5,000 appointments; "
            "cold = read afresh (versions + 3 reads), warm = from the slots cache (1 query)"
        )
        print(
            f"{'days':>5} {'in window cold':>15} {'warm':>8} {'over 2 years cold':>18} {'warm':>8}"
        )
        for days in (7, 30, 45, 90):
            timings = [
                median_ms(
                    lambda d=days, t=t, c=cached: slot_list(
                        therapist=t,
                        session_type=session_type,
                        window_start=START,
                        window_end=START + timedelta(days=d),
                        now=now,
                        cached=c,
                    )
                )
                for t in (therapist, spread)
                for cached in (False, True)
            ]
            print(
                f"{days:>5} {timings[0]:>15.2f} {timings[1]:>8.2f} "
                f"{timings[2]:>18.2f} {timings[3]:>8.2f}"
            )
        run_requests(therapist=spread, session_type=session_type)
    finally:
        teardown_databases(old, verbosity=0)


def cache_name() -> str:
    from django.conf import settings

    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def run_requests(*, therapist, session_type) -> None:
    """Whole GET /api/v1/slots/ requests in-process (Django's test client: middleware,
    throttle, serializers), the cache emptied before each (cold) or kept (warm)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    http = Client()
    print("\nGET /api/v1/slots/ in-process, the therapist with 5,000 sessions over 2 years")
    print(f"{'days':>5} {'cold ms':>8} {'warm ms':>8} {'queries cold':>13} {'warm':>5}")
    for days in (30, 45):
        query = {
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": START.astimezone(ZONE).date().isoformat(),
            "end": (START + timedelta(days=days - 1)).astimezone(ZONE).date().isoformat(),
        }

        def get(query=query):
            response = http.get("/api/v1/slots/", query)
            assert response.status_code == 200, response.content

        def cold(get=get):
            cache.clear()
            get()

        counts = []
        for fn in (cold, get):
            with CaptureQueriesContext(connection) as queries:
                fn()
            counts.append(len(queries))
        print(
            f"{days:>5} {median_ms(cold):>8.2f} {median_ms(get):>8.2f} "
            f"{counts[0]:>13} {counts[1]:>5}"
        )


if __name__ == "__main__":
    run_engine()
    run_selector()
