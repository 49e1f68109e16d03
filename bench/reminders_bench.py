"""Benchmark: 10,000 due reminders through the real Celery worker, Redis and PostgreSQL.

Each round: mark every reminder due, let the scanner claim them (batches of
500) and enqueue one send task per batch of ``SEND_BATCH`` ids, then time until
the worker has marked all 10,000 sent. Emails go to Django's locmem backend
inside the worker, so the whole send path (lock and check, mark started, render
text + HTML, mark sent) is timed but no SMTP server.

Usage (needs PostgreSQL and Redis):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/booking REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python bench/reminders_bench.py [--database bench_db] [--concurrency 1,2,4]
``--database`` names the database it creates (and drops); by default Django's
test name for DATABASE_URL's (``test_<name>``). Figures go to docs/performance.md.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2htYXJrLW9ubHkta2V5LW5vdC1yZWFsLWRhdGE=")
if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
    sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: this benchmark measures them.")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.fixtures import bulk_appointments  # noqa: E402
from booking.models import (  # noqa: E402
    Appointment,
    Notification,
    NotificationKind,
    NotificationState,
)
from booking.notify.dispatch import notifications_claim_due  # noqa: E402
from booking.notify.tasks import notifications_enqueue  # noqa: E402
from practice.celery import app  # noqa: E402
from tests.factories import ClientFactory, SessionTypeFactory, TherapistFactory  # noqa: E402
from tests.support.celery_helpers import WorkerProcess, wait_for  # noqa: E402

APPOINTMENTS = 5000  # two email reminders each: 10,000 rows
CONCURRENCY = "1,2,4,8"


def create_rows() -> None:
    session_type = SessionTypeFactory(duration_minutes=15)
    practice = session_type.practice
    therapist = TherapistFactory(practice=practice, offers=[session_type])
    clients = [ClientFactory(practice=practice) for _ in range(100)]
    bulk_appointments(
        therapist=therapist,
        session_type=session_type,
        clients=clients,
        first=timezone.now() + timedelta(days=3),
        every=timedelta(minutes=20),
        count=APPOINTMENTS,
    )
    Notification.objects.bulk_create(
        (
            Notification(
                appointment=a,
                kind=NotificationKind.REMINDER,
                channel="email",
                offset=timedelta(hours=hours),
                appointment_sequence=0,
                due_at=a.start - timedelta(hours=hours),
            )
            for a in Appointment.objects.all()
            for hours in (48, 24)
        ),
        batch_size=2000,
    )


def rows_due_again() -> None:
    """Every reminder due now and unclaimed again, for another round."""
    Notification.objects.update(
        state=NotificationState.SCHEDULED,
        due_at=timezone.now(),
        claimed_at=None,
        send_started_at=None,
        sent_at=None,
        attempts=0,
    )


def sent() -> int:
    return Notification.objects.filter(state=NotificationState.SENT).count()


def worker_cpu_seconds() -> float:
    """User + system CPU of every finished child process (the worker and its pool)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_round(concurrency: int, workdir: Path) -> tuple[float, float, float]:
    """Claim + enqueue seconds, seconds until all are sent, and the worker's CPU seconds
    (its start-up included: about 2 s), which the machine's other load does not inflate."""
    rows_due_again()
    worker = WorkerProcess(
        broker_url=settings.CELERY_BROKER_URL,
        env={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
        log=workdir / f"worker-{concurrency}.log",
    )
    cpu_before = worker_cpu_seconds()
    worker.start(concurrency=concurrency)
    try:
        wait_for(
            lambda: "ready" in (workdir / f"worker-{concurrency}.log").read_text(),
            timeout=60,
            what="the worker",
        )
        t0 = time.perf_counter()
        while ids := notifications_claim_due():
            notifications_enqueue(ids)
        dispatched = time.perf_counter() - t0
        wait_for(lambda: sent() == 2 * APPOINTMENTS, timeout=1800, interval=0.2, what="all sent")
        total = time.perf_counter() - t0
    finally:
        worker.stop()
    return dispatched, total, worker_cpu_seconds() - cpu_before


def main() -> None:
    from django.db import connection

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="the database to create and drop (default test_<name>)")
    parser.add_argument("--concurrency", default=CONCURRENCY, help="worker processes per round")
    args = parser.parse_args()
    if args.database:
        connection.settings_dict["TEST"]["NAME"] = args.database
    old = setup_databases(verbosity=0, interactive=False)
    # The worker subprocess reads the test database through DATABASE_URL.
    print(
        f"database {connection.settings_dict['NAME']}, broker {settings.CELERY_BROKER_URL}",
        flush=True,
    )
    try:
        create_rows()
        app.control.purge()
        with tempfile.TemporaryDirectory() as tmp:
            print(
                f"{'concurrency':>11} {'claim+enqueue s':>16} {'all sent s':>11} "
                f"{'per second':>11} {'worker CPU ms each':>18} {'load (1 min)':>13}",
                flush=True,
            )
            for concurrency in map(int, args.concurrency.split(",")):
                dispatched, total, cpu = one_round(concurrency, Path(tmp))
                rate, cpu_each = 2 * APPOINTMENTS / total, cpu * 1000 / (2 * APPOINTMENTS)
                print(
                    f"{concurrency:>11} {dispatched:>16.2f} {total:>11.2f} {rate:>11.0f} "
                    f"{cpu_each:>18.2f} {os.getloadavg()[0]:>13.1f}",
                    flush=True,
                )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
