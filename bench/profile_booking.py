"""Profile one public booking in-process: python -m bench.profile_booking [N].

Books N (default 200) new clients through POST /api/v1/bookings/ with Django's
test client against the database in DATABASE_URL (a scratch database: the
demo practice is seeded into it): the first half timed (median), then 50
refused bookings (409, a taken time) timed, then the second half under
cProfile, whose summary is printed by cumulative time. Medians are given in
wall time and in this process's CPU time (``time.process_time``: what load on
a shared machine distorts least; the database's own CPU is not in it).
PROFILE=refused profiles as many refused bookings instead; PROFILE_FILE=path
keeps the profile for pstats.
"""

import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("RATE_LIMIT_BOOKING", "100000000/second")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from booking.scheduling.selectors import slot_list  # noqa: E402
from practice.models import SessionType  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    session_type = SessionType.objects.filter(modality="in_person").first()
    therapist = session_type.therapists.first()
    now = timezone.now()
    starts = slot_list(
        therapist=therapist,
        session_type=session_type,
        window_start=now,
        window_end=now + timedelta(days=59),
        now=now,
    )
    picked, free_from = [], None
    for start in starts:  # none overlapping another, so each can be booked
        if free_from is None or start >= free_from:
            picked.append(start)
            free_from = (
                start
                + session_type.duration
                + session_type.buffer_after
                + (session_type.buffer_before)
            )
    picked = picked[: n + 1]
    client = Client(HTTP_HOST="127.0.0.1")

    def book(i, start):
        body = {
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": start.isoformat(),
            "timezone": "Europe/London",
            "client": {"first_name": "P", "last_name": "Q", "email": f"p{i}@example.com"},
        }
        began, cpu = time.perf_counter(), time.process_time()
        response = client.post(
            "/api/v1/bookings/", body, content_type="application/json", secure=True
        )
        elapsed = (time.perf_counter() - began) * 1000
        return response.status_code, elapsed, (time.process_time() - cpu) * 1000

    book(0, picked[0])  # warm-up
    half = len(picked) // 2
    timed = [book(i, start) for i, start in enumerate(picked[1:half], 1)]
    assert {status for status, *_ in timed} == {201}, timed
    refused = [book(10_000 + i, picked[1]) for i in range(50)]
    assert {status for status, *_ in refused} == {409}, refused

    def medians(results):
        wall = statistics.median(ms for _, ms, _ in results)
        return f"median {wall:.1f} ms, CPU {statistics.median(c for *_, c in results):.1f} ms"

    print(
        f"{len(timed)} bookings: {medians(timed)}; {len(refused)} refused (409): {medians(refused)}"
    )
    profile = cProfile.Profile()
    refusing = os.environ.get("PROFILE") == "refused"
    for i, start in enumerate(picked[half:], half):
        profile.enable()
        status, *_ = book(20_000 + i if refusing else i, picked[1] if refusing else start)
        profile.disable()
        assert status == (409 if refusing else 201), status
    if os.environ.get("PROFILE_FILE"):
        profile.dump_stats(os.environ["PROFILE_FILE"])
    pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
