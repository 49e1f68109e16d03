"""Reminders with moved and cancelled sessions, through a real beat and a real worker,
while the worker's database connections are killed and the worker itself is killed -9.

Nothing is called by hand: ``celery beat`` (a process of its own, with its own
schedule file, the scanner every second) claims what is due and a prefork
``celery worker`` sends it to a real SMTP server on loopback, which counts
each message by notification id. A message counts only once the server said
"250": a worker killed before that never delivered it.
"""

import threading
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from booking.models import Notification, NotificationKind, NotificationState
from booking.scheduling.services import Actor, appointment_cancel, appointment_reschedule
from tests.conftest import IS_POSTGRES
from tests.faults.test_faults import (
    book_many,
    free_starts,
    own_backend_pid,
    requires_redis,
    terminate_app_connections,
)
from tests.support.celery_helpers import (
    BeatProcess,
    RedisServer,
    WorkerProcess,
    free_port,
    wait_for,
    wait_for_quiet_database,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not IS_POSTGRES,
        reason="fault tests need PostgreSQL (pg_terminate_backend): set DATABASE_URL=postgres://…",
    ),
    requires_redis,
]
S = NotificationState
NEW_YORK = ZoneInfo("America/New_York")  # the clients' zone (tests.factories)


def when_short(start) -> str:
    local = start.astimezone(NEW_YORK)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} {local.tzname()}"


class Faults:
    """Run by the SMTP server before its "250": kill the app's connections now and then,
    and once kill -9 the worker, whose message is then never accepted."""

    def __init__(self, worker, keep, *, kill_connections_every=4, kill_worker_at=14):
        self.worker, self.keep, self.seen = worker, keep, 0
        self.every, self.kill_at = kill_connections_every, kill_worker_at
        self.connections_killed, self.worker_killed = 0, threading.Event()

    def __call__(self, message):
        self.seen += 1
        if self.seen == self.kill_at:
            self.worker.kill()  # mid-batch, mid-message: kill -9 the whole process group
            self.worker_killed.set()
            return "421 4.3.0 Connection lost"  # the client is gone: never accepted
        if self.seen % self.every == 0:
            self.connections_killed += terminate_app_connections(self.keep)
        return None


def test_reminders_through_beat_and_a_killed_worker_go_once_and_only_to_live_sessions(
    smtp, therapist, practice, settings, tmp_path
):
    sessions = book_many(therapist, practice, 20)  # confirmations sent here (eager)
    targets = free_starts(therapist, 24)[20:]
    moved, cancelled = sessions[:4], sessions[4:8]
    for session, target in zip(moved, targets, strict=True):
        appointment_reschedule(appointment=session, start=target, actor=Actor.STAFF)
    for session in cancelled:
        appointment_cancel(appointment=session, actor=Actor.STAFF)
    # Time passes: every reminder still scheduled falls due.
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER, state=S.SCHEDULED)
    expected = set(reminders.values_list("pk", flat=True))
    assert len(expected) == 16 * 2  # 48 h and 24 h, for the 16 sessions not cancelled
    reminders.update(due_at=timezone.now())
    before = Counter(smtp.notification_ids())  # confirmations, moves, cancellations

    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    env = {
        "SITE_URL": settings.SITE_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_BACKEND": "",
        "EMAIL_TIMEOUT": "5",
        "NOTIFICATION_STUCK_AFTER_SECONDS": "4",  # production: 600
        "NOTIFICATION_SCAN_SECONDS": "1",  # production: 60
    }
    worker = WorkerProcess(broker_url=redis.url, env=env, log=tmp_path / "worker.log")
    beat = BeatProcess(
        broker_url=redis.url, env=env, log=tmp_path / "beat.log", schedule=tmp_path / "beat"
    )
    faults = Faults(worker, keep=[own_backend_pid()])
    smtp.handler.accept_delay = 0.1  # a real server's pace, so the kill lands mid-batch
    smtp.handler.before_accepting = faults
    began = time.monotonic()
    try:
        beat.start()
        worker.start(concurrency=1)  # one send at a time: the kill lands inside a message
        wait_for(faults.worker_killed.is_set, timeout=60, what="the worker to be killed")
        interrupted = Notification.objects.filter(pk__in=expected, state=S.SENDING).count()
        worker.start(concurrency=2)
        wait_for(
            lambda: Notification.objects.filter(pk__in=expected, state=S.SENT).count() == 32,
            timeout=90,
            what="every reminder sent",
        )
        elapsed = time.monotonic() - began
        time.sleep(2)  # two more scanner runs: nothing more may go out
    finally:
        smtp.handler.before_accepting = None
        beat.stop()
        worker.stop()
        redis.stop()
        wait_for_quiet_database()

    counts = Counter(smtp.notification_ids()) - before
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert set(counts) == expected, log  # no reminder to a cancelled session, none lost
    assert set(counts.values()) == {1}, counts  # each exactly once
    assert "booking.tasks.dispatch_due_notifications" in (tmp_path / "worker.log").read_text()
    by_id = {m["Message-ID"]: m["Subject"] for m in smtp.messages}
    for session, target in zip(moved, targets, strict=True):
        sent = Notification.objects.filter(appointment=session, kind=NotificationKind.REMINDER)
        subjects = [by_id[n.provider_message_id] for n in sent.filter(state=S.SENT)]
        assert len(subjects) == 2
        assert all(s.endswith(when_short(target)) for s in subjects), subjects
    assert faults.connections_killed > 0
    print(
        f"\n(f) beat + worker: 32 reminders (16 sessions; 4 moved, 4 cancelled before they fell "
        f"due) with the worker's connections killed before every 4th 250 "
        f"({faults.connections_killed} killed) and the worker killed -9 mid-message "
        f"({interrupted} claimed or mid-send): 32/32 exactly once in {elapsed:.1f} s, none to "
        f"a cancelled session, moved ones at their new time"
    )
