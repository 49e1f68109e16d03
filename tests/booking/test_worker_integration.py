"""Notifications through the real Celery worker and broker, and what happens when they fail.

The broker is Redis when REDIS_URL is set (CI's first run), else the embedded
file-system broker. Faults that need a Redis to break or a worker to kill say so.
"""

import re
import shutil
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from booking.models import Notification, NotificationKind, NotificationState
from booking.notify.dispatch import notifications_claim_due
from booking.notify.tasks import dispatch_due_notifications, notifications_enqueue
from booking.scheduling import selectors
from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from practice.celery import app
from tests.factories import ClientFactory
from tests.support.celery_helpers import (
    RedisServer,
    WorkerProcess,
    broker,
    free_port,
    in_process_worker,
    not_eager,
    wait_for,
    wait_for_quiet_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

requires_redis = pytest.mark.skipif(
    not settings.REDIS_URL or not shutil.which("redis-server"),
    reason="needs Redis (set REDIS_URL) and redis-server: the fault is a broker outage",
)


def free_starts(therapist, count):
    now = timezone.now()
    return selectors.slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=now + timedelta(days=3),  # past every reminder's offset
        window_end=now + timedelta(days=50),
        now=now,
    )[:count]


def book_many(therapist, practice, count):
    session_type = therapist.session_types.get()
    return [
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice),
            start=start,
        )
        for start in free_starts(therapist, count)
    ]


@pytest.fixture
def worker():
    with not_eager():
        app.control.purge()
        with in_process_worker(pool="threads", concurrency=4):
            yield
        wait_for_quiet_database()


def sent_count():
    return Notification.objects.filter(state=NotificationState.SENT).count()


def test_a_booking_confirmation_travels_through_the_broker_and_worker(worker, therapist, practice):
    (appointment,) = book_many(therapist, practice, 1)
    wait_for(lambda: len(mail.outbox) == 1, what="the confirmation email")
    confirmation = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
    wait_for(lambda: Notification.objects.get(pk=confirmation.pk).state == NotificationState.SENT)
    assert mail.outbox[0].to == [appointment.client.email]


def test_due_reminders_are_each_sent_exactly_once_even_if_delivered_twice(
    worker, therapist, practice
):
    appointments = book_many(therapist, practice, 10)
    wait_for(lambda: len(mail.outbox) == 10, what="10 confirmations")
    mail.outbox.clear()
    # Time passes: every reminder falls due.
    Notification.objects.filter(kind=NotificationKind.REMINDER).update(due_at=timezone.now())
    ids = notifications_claim_due()
    assert len(ids) == 20  # 48 h and 24 h emails for each
    notifications_enqueue(ids)
    notifications_enqueue(ids)  # a duplicated delivery of every task
    wait_for(lambda: sent_count() == 30, what="every reminder sent")
    assert notifications_claim_due() == []  # a scanner run finds nothing left
    assert len(mail.outbox) == 20
    per_appointment = {a.client.email: 0 for a in appointments}
    for email in mail.outbox:
        per_appointment[email.to[0]] += 1
    assert set(per_appointment.values()) == {2}


def test_a_session_cancelled_after_the_claim_gets_no_reminder_from_the_worker(
    worker, therapist, practice
):
    (appointment,) = book_many(therapist, practice, 1)
    wait_for(lambda: len(mail.outbox) == 1, what="the confirmation")
    Notification.objects.filter(kind=NotificationKind.REMINDER).update(due_at=timezone.now())
    ids = notifications_claim_due()  # the scanner claimed them...
    assert len(ids) == 2
    appointment_cancel(appointment=appointment, actor=Actor.STAFF)  # ...then the cancellation
    wait_for(lambda: len(mail.outbox) == 2, what="the cancellation notice")
    notifications_enqueue(ids)  # ...and only now do the send tasks reach the worker
    wait_for(
        lambda: (
            not Notification.objects.filter(pk__in=ids, state=NotificationState.SENDING).exists()
        ),
        what="the claimed reminders to settle",
    )
    time.sleep(0.5)
    assert [m.subject for m in mail.outbox][1].endswith("is cancelled")
    assert len(mail.outbox) == 2
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        NotificationState.CANCELLED
    }


@requires_redis
def test_a_booking_succeeds_while_redis_is_down_and_its_email_follows_when_back(
    therapist, practice, tmp_path
):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    try:
        with broker(redis.url), not_eager():
            redis.stop()  # the outage
            (appointment,) = book_many(therapist, practice, 1)
            assert appointment.pk  # booked and committed all the same
            confirmation = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
            confirmation.refresh_from_db()
            assert confirmation.state == NotificationState.SCHEDULED  # waiting for the scanner
            assert mail.outbox == []

            redis.start()  # Redis is back; beat's next scanner run does the rest
            app._after_fork()
            with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
                dispatch_due_notifications.delay()
                wait_for(lambda: len(mail.outbox) == 1, what="the confirmation, once")
                wait_for(
                    lambda: (
                        Notification.objects.get(pk=confirmation.pk).state == NotificationState.SENT
                    )
                )
            assert len(mail.outbox) == 1
    finally:
        redis.stop()


@requires_redis
def test_a_worker_killed_mid_batch_loses_and_repeats_nothing(
    therapist, practice, tmp_path, settings
):
    """kill -9 the worker while it sends 40 reminders; after a restart each went exactly once."""
    mail_dir = tmp_path / "mail"
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    worker = WorkerProcess(
        broker_url=redis.url,
        env={
            "EMAIL_BACKEND": "tests.support.slow_email.SlowFileBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": settings.SITE_URL,
        },
        log=tmp_path / "worker.log",
    )
    try:
        book_many(therapist, practice, 20)
        Notification.objects.filter(kind=NotificationKind.REMINDER).update(due_at=timezone.now())
        with broker(redis.url), not_eager():
            ids = notifications_claim_due()
            assert len(ids) == 40
            notifications_enqueue(ids)

            worker.start()
            wait_for(lambda: sent_count() >= 10 + 20, timeout=60, what="a third of the batch")
            worker.kill()  # mid-batch: some sent, some being sent, some still queued
            assert sent_count() < 40 + 20
            interrupted = Notification.objects.filter(state=NotificationState.SENDING).count()
            assert interrupted == 40 + 20 - sent_count()
            print(f"killed with {sent_count() - 20} of 40 sent, {interrupted} interrupted")

            settings.NOTIFICATION_STUCK_AFTER_SECONDS = 1
            worker.start()
            # Beat's scanner, every minute in production: take back the stuck rows.
            deadline = time.monotonic() + 90
            while sent_count() < 40 + 20 and time.monotonic() < deadline:
                time.sleep(1.5)
                notifications_enqueue(notifications_claim_due())
            assert sent_count() == 40 + 20, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.stop()
        redis.stop()

    sent_ids = []
    for message_file in mail_dir.iterdir():
        sent_ids += re.findall(r"Message-ID: <[^>]*\.n(\d+)@", message_file.read_text())
    assert sorted(map(int, sent_ids)) == sorted(ids)  # every reminder, each exactly once
