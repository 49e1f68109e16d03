"""Profile the reminder worker's send path in-process: python -m bench.profile_reminders [N].

N (default 1,000) due email reminders, claimed as the scanner claims them and
sent with ``notifications_send_batch`` in batches of ``SEND_BATCH`` ids through
Django's locmem email backend (no Celery, no SMTP): once timed in CPU time
(``time.process_time``: this process only, so other load on the machine
barely moves it), then once more under cProfile, whose summary is printed.
Needs PostgreSQL in DATABASE_URL; ``--database`` names the database it
creates and drops (default ``test_<name>``).
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from bench import reminders_bench  # noqa: E402  (django.setup(), the rows)
from booking.notify.dispatch import (  # noqa: E402
    SEND_BATCH,
    notifications_claim_due,
    notifications_send_batch,
)


def claim_all() -> list[int]:
    reminders_bench.rows_due_again()
    ids = []
    while claimed := notifications_claim_due():
        ids += claimed
    return ids


def send_all(ids: list[int]) -> None:
    mail.outbox = []
    for index in range(0, len(ids), SEND_BATCH):
        outcomes = notifications_send_batch(notification_ids=ids[index : index + SEND_BATCH])
        assert set(outcomes.values()) == {"sent"}, outcomes
    assert len(mail.outbox) == len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000, help="reminders (even)")
    parser.add_argument("--database", help="the database to create and drop")
    parser.add_argument("--top", type=int, default=40, help="profile lines to print")
    args = parser.parse_args()
    if args.database:
        connection.settings_dict["TEST"]["NAME"] = args.database
    reminders_bench.APPOINTMENTS = args.n // 2
    old = setup_databases(verbosity=0, interactive=False)
    try:
        reminders_bench.create_rows()
        send_all(claim_all())  # warm: templates compiled, imports done
        ids = claim_all()
        cpu, wall = time.process_time(), time.perf_counter()
        send_all(ids)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{len(ids)} reminders: {cpu * 1000 / len(ids):.2f} ms CPU and "
            f"{wall * 1000 / len(ids):.2f} ms wall each (this process; PostgreSQL not counted)"
        )
        ids = claim_all()
        profile = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL not counted
        profile.runcall(send_all, ids)
        stats = pstats.Stats(profile).strip_dirs().sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
