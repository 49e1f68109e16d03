"""Benchmark: a therapist's week view with a full week of sessions, and the front desk's day.

In-process through Django's test client (middleware, sign-in with two-factor,
template: the whole request), on the database that DATABASE_URL names (a
throwaway test database is created).

Usage:
  .venv/bin/python bench/week_view_bench.py
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/booking .venv/bin/python bench/week_view_bench.py
Figures go to docs/performance.md.
"""

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_databases,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

from booking.models import TimeOff  # noqa: E402
from booking.scheduling.services import appointment_book  # noqa: E402
from practice.models import StaffRole  # noqa: E402
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory  # noqa: E402
from tests.support.staff import make_staff, sign_in  # noqa: E402

REPEATS = 30
THERAPISTS = 12


def timed(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm
    samples = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(queries)


# Templates link static files; the benchmark has not run collectstatic.
PLAIN_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=PLAIN_STATIC)
def main() -> None:
    old = setup_databases(verbosity=0, interactive=False)
    try:
        session_type = SessionTypeFactory(name="Individual session", duration_minutes=50)
        practice = session_type.practice
        therapists = [
            TherapistFactory(
                practice=practice, offers=[session_type], weekday_hours=(wall(8), wall(20))
            )
            for _ in range(THERAPISTS)
        ]
        today = timezone.now().astimezone(therapists[0].zone).date()
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        # A full working week for every therapist: 12 sessions a day, 60 a week each.
        for therapist in therapists:
            for day in range(5):
                for hour in range(8, 20):
                    local = datetime.combine(
                        monday + timedelta(days=day), wall(hour), tzinfo=therapist.zone
                    )
                    appointment_book(
                        therapist=therapist,
                        session_type=session_type,
                        client=ClientFactory(practice=practice),
                        start=local.astimezone(UTC),
                        enforce_availability=False,
                    )
            TimeOff.objects.create(
                practice=practice,
                therapist=therapist,
                start_date=monday + timedelta(days=5),
                end_date=monday + timedelta(days=6),
                reason="Weekend away",
            )
        client = Client()
        sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=therapists[0]))
        week = timed(client, f"/staff/calendar/?date={monday.isoformat()}")
        day = timed(client, f"/staff/calendar/?date={monday.isoformat()}&view=day")
        desk_client = Client()
        sign_in(desk_client, make_staff(practice, StaffRole.RECEPTIONIST))
        desk = timed(desk_client, f"/staff/desk/?date={monday.isoformat()}")
        print(f"database: {connection.vendor}; {REPEATS} requests each, after one warm-up")
        for label, (median, p95, queries) in (
            ("therapist week, 60 sessions + 2 days off", week),
            ("therapist day, 12 sessions", day),
            (f"front desk day, {THERAPISTS} therapists, 144 sessions", desk),
        ):
            print(f"{label:<48} median {median:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
