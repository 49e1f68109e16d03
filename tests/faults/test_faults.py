"""An operator's bad day: the database drops connections, Redis stops, the mail server stalls.

Real PostgreSQL (connections killed with pg_terminate_backend, on this test
database only), a Redis server of the test's own that it stops and starts, a
real Celery worker, and a real SMTP server on loopback (aiosmtpd) that counts
what it receives by notification id (our Message-ID carries it). Every test
ends the same way: each message sent exactly once, none to a cancelled
session, no 5xx but a 503 with Retry-After. docs/deployment.md, "What survives
which fault", quotes the figures these print (pytest -s).
"""

import json
import random
import re
import shutil
import statistics
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import psycopg.sql
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Appointment, Notification, NotificationKind, NotificationState
from booking.notify.dispatch import notifications_claim_due
from booking.notify.tasks import dispatch_due_notifications, notifications_enqueue
from booking.scheduling import selectors
from booking.scheduling.services import appointment_book
from practice import dbfaults
from practice.celery import app
from practice.dbfaults import reset_connection
from tests.conftest import IS_POSTGRES
from tests.factories import ClientFactory
from tests.support.celery_helpers import (
    RedisServer,
    broker,
    free_port,
    not_eager,
    wait_for,
    wait_for_quiet_database,
)
from tests.support.smtp_server import hanging_smtp_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not IS_POSTGRES,
        reason="fault tests need PostgreSQL (pg_terminate_backend): set DATABASE_URL=postgres://…",
    ),
]
requires_redis = pytest.mark.skipif(
    not django_settings.REDIS_URL or not shutil.which("redis-server"),
    reason="needs Redis (set REDIS_URL) and redis-server: the fault is a Redis outage",
)
S = NotificationState


# --- The faults ---------------------------------------------------------------


def terminate_app_connections(keep=(), *, admin=None) -> int:
    """pg_terminate_backend on this test database's connections (never another database's)."""
    if admin is None:
        with admin_connection() as admin:
            return terminate_app_connections(keep, admin=admin)
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() AND NOT (pid = ANY(%s))",
        (connection.settings_dict["NAME"], list(keep)),
    ).fetchall()
    return len(rows)


def admin_connection(dbname=None):
    """A connection of the test's own, outside Django (to the test database by default)."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=dbname or db["NAME"],
        autocommit=True,
    )


def own_backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class ConnectionKiller(threading.Thread):
    """Kills the app's connections every 20-100 ms until stopped: a flapping database."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stopping, self.killed = threading.Event(), 0

    def run(self):
        while not self.stopping.is_set():
            self.killed += terminate_app_connections()
            time.sleep(random.uniform(0.02, 0.1))  # noqa: S311

    def stop(self):
        self.stopping.set()
        self.join(timeout=5)


# --- Helpers (the fixtures smtp and worker: tests/faults/conftest.py) ---------


def free_starts(therapist, count):
    now = timezone.now()
    return selectors.slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=now + timedelta(days=3),  # past every reminder's offset
        window_end=now + timedelta(days=60),
        now=now,
    )[:count]


def book_many(therapist, practice, count):
    return [
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=practice),
            start=start,
        )
        for start in free_starts(therapist, count)
    ]


def booking_payload(therapist, start, n):
    return {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": start.isoformat(),
        "timezone": "Europe/Berlin",
        "client": {
            "first_name": "Robin",
            "last_name": f"Test{n}",
            "email": f"robin{n}@example.com",
        },
    }


def rows_settled(ids) -> bool:
    return not Notification.objects.filter(pk__in=ids, state__in=[S.SCHEDULED, S.SENDING]).exists()


def scan_until_settled(ids, *, timeout=30.0, now_offset=timedelta(0)):
    """What beat does every minute: take back stuck rows, claim due ones, hand them out."""
    deadline = time.monotonic() + timeout
    while not rows_settled(ids):
        assert time.monotonic() < deadline, list(
            Notification.objects.filter(pk__in=ids).values_list("pk", "state", "last_error")
        )
        notifications_enqueue(notifications_claim_due(now=timezone.now() + now_offset))
        time.sleep(0.5)


WINDOW = re.compile(r"provider took ([\d.]+) ms, recorded ([\d.]+) ms after")


def window_figures(caplog) -> str:
    """How long each accepted message sat unrecorded, against the whole send."""
    pairs = [
        tuple(map(float, m.groups()))
        for r in caplog.records
        if (m := WINDOW.search(r.getMessage()))
    ]
    provider = [p for p, _ in pairs]
    window = sorted(w for _, w in pairs)
    share = sum(window) / (sum(provider) + sum(window))
    return (
        f"unrecorded window over {len(window)} sends: median {statistics.median(window):.1f} ms, "
        f"max {window[-1]:.1f} ms, {share:.1%} of sending time"
    )


def assert_each_sent_once(smtp, ids):
    counts = Counter(smtp.notification_ids())
    assert {pk: counts[pk] for pk in ids} == dict.fromkeys(ids, 1)
    assert set(counts) == set(ids), "a message nobody expected"
    sent = Notification.objects.filter(pk__in=ids)
    assert set(sent.values_list("state", flat=True)) == {S.SENT}
    assert not sent.filter(provider_accepted_at__isnull=True).exists()


# --- (a) The database drops connections ----------------------------------------


def test_connections_dropped_after_the_mail_server_accepted_repeat_no_message(
    smtp, worker, therapist, practice, settings, caplog
):
    """The issue's fault: every send's connection dies before it is marked sent."""
    keep = [own_backend_pid()]  # the test's own connection, which books and checks
    killed = []
    smtp.handler.before_accepting = lambda message: killed.append(terminate_app_connections(keep))

    appointments = book_many(therapist, practice, 10)
    confirmations = [
        a.notifications.get(kind=NotificationKind.CONFIRMATION).pk for a in appointments
    ]
    wait_for(lambda: rows_settled(confirmations), what="10 confirmations")
    Notification.objects.filter(kind=NotificationKind.REMINDER).update(due_at=timezone.now())
    reminders = notifications_claim_due()
    assert len(reminders) == 20
    notifications_enqueue(reminders)
    wait_for(lambda: rows_settled(reminders), what="20 reminders")

    # Beat's scanner, with "stuck" shortened to nothing: nothing is left to take back.
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 0
    time.sleep(0.1)
    assert notifications_claim_due() == []
    assert_each_sent_once(smtp, confirmations + reminders)
    print(
        f"\n(a) {len(killed)} sends, each with the worker's connection killed before 250 "
        f"({sum(killed)} connections); 30 of 30 messages exactly once; " + window_figures(caplog)
    )


def test_bookings_and_sends_under_repeated_connection_kills_never_500_or_repeat(
    smtp, worker, therapist, practice, settings
):
    """30 bookings over HTTP (the production request path, persistent connections with
    health checks) while every app connection is killed every 20-100 ms."""
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    reset_connection()
    handler, factory = WSGIHandler(), RequestFactory()
    payloads = [booking_payload(therapist, s, n) for n, s in enumerate(free_starts(therapist, 30))]
    answers = []
    killer = ConnectionKiller()
    killer.start()
    try:
        for payload in payloads:
            request = factory.post(
                "/api/v1/bookings/", json.dumps(payload), content_type="application/json"
            )
            response = handler(request.environ, lambda *args: None)
            answers.append((response.status_code, response.get("Retry-After"), response.content))
            response.close()  # request_finished: Django's own connection housekeeping
    finally:
        killer.stop()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        reset_connection()

    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {201, 503}, answers
    assert all(retry == "30" for status, retry, _ in answers if status == 503)
    made = {json.loads(body)["id"] for status, _, body in answers if status == 201}
    assert {str(a.public_id) for a in Appointment.objects.all()} == made

    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 3
    asks = list(Notification.objects.values_list("pk", flat=True))
    assert len(asks) == len(made)  # one "please confirm" each
    scan_until_settled(asks)
    assert_each_sent_once(smtp, asks)
    print(
        f"\n(a) {killer.killed} connections killed during 30 bookings: {dict(statuses)}; "
        f"{len(asks)} emails, each exactly once"
    )


@contextmanager
def database_away(keep=()):
    """The test database refuses new connections and loses its open ones (but ``keep``)."""
    name = psycopg.sql.Identifier(connection.settings_dict["NAME"])
    with admin_connection("postgres") as admin:
        admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        try:
            terminate_app_connections(keep, admin=admin)
            yield
        finally:
            admin.execute(psycopg.sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name))


def test_a_send_whose_record_outlasts_the_retries_is_recorded_by_the_broker_once(
    smtp, worker, therapist, practice, monkeypatch, caplog
):
    """The database goes away at the provider's 250 for longer than marking it sent retries
    (shortened here to 0.3 s): the record travels through the broker and lands when the
    database is back; the message is not sent again."""
    monkeypatch.setattr(dbfaults, "PAUSES", (0.0, 0.1, 0.2))
    keep = [own_backend_pid()]
    away = threading.Event()

    def database_goes_away(message):
        def outage():
            with database_away(keep):
                away.set()
                time.sleep(3)

        threading.Thread(target=outage, daemon=True).start()
        away.wait(5)

    smtp.handler.before_accepting = database_goes_away
    (appointment,) = book_many(therapist, practice, 1)
    confirmation = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
    began = time.monotonic()
    wait_for(lambda: rows_settled([confirmation.pk]), timeout=60, what="the record to land")
    landed_after = time.monotonic() - began
    smtp.handler.before_accepting = None
    confirmation.refresh_from_db()
    assert confirmation.state == S.SENT
    assert confirmation.attempts == 1
    handed_off = f"Notification {confirmation.pk} sent; the database is away"
    assert handed_off in caplog.messages  # the worker gave up and the broker recorded it
    assert notifications_claim_due(now=timezone.now() + timedelta(hours=1)) == []
    assert_each_sent_once(smtp, [confirmation.pk])
    print(
        f"\n(a) database away 3 s at the 250 (retries 0.3 s): recorded through the broker "
        f"{landed_after:.1f} s after the send; 1 of 1 exactly once"
    )


# --- (b) Redis, the cache and the broker, stops ---------------------------------


@requires_redis
def test_with_redis_down_booking_cancelling_and_pages_work_and_emails_go_once_it_is_back(
    smtp, therapist, practice, settings, tmp_path
):
    redis = RedisServer(free_port(), tmp_path)
    redis.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "practice.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis.port}/1",
        }
    }
    try:
        with broker(redis.url), not_eager():
            redis.stop()  # the outage: cache and broker at once
            http = APIClient()
            answers = [
                http.post("/api/v1/bookings/", booking_payload(therapist, start, n), format="json")
                for n, start in enumerate(free_starts(therapist, 15))
            ]
            assert [a.status_code for a in answers] == [201] * 15
            cancelled = answers[0].json()
            token = cancelled["manage_url"].rstrip("/").rsplit("/", 1)[-1]
            assert http.post(f"/api/v1/bookings/{token}/cancel/").status_code == 200
            assert http.get("/book/").status_code == 200
            ready = http.get("/readyz")
            assert ready.status_code == 503
            body = ready.json()
            assert body["database"] == "ok"
            assert body["cache"].startswith("unreachable")
            assert body["broker"].startswith("unreachable")
            assert smtp.messages == []

            redis.start()  # back: beat's next scan sends what waited, once
            app._after_fork()
            with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
                dispatch_due_notifications.delay()
                asks = list(
                    Notification.objects.exclude(
                        appointment__public_id=cancelled["id"]
                    ).values_list("pk", flat=True)
                )
                wait_for(lambda: rows_settled(asks), what="14 emails")
                assert http.get("/readyz").status_code == 200
            wait_for_quiet_database()
    finally:
        redis.stop()
    assert_each_sent_once(smtp, asks)  # and nothing to the cancelled booking
    print(
        "\n(b) Redis down: 15/15 bookings 201, cancel 200, /book/ 200, /readyz 503 naming "
        "cache and broker; after restart 14/14 emails exactly once, none to the cancelled one"
    )


# --- (c) and (d): the mail server says "later", or nothing at all -------------


def test_a_451_then_250_delivers_every_message_once(smtp, worker, therapist, practice, caplog):
    smtp.refuse_rcpt("451 4.7.1 Greylisted, try again later", times=5)
    appointments = book_many(therapist, practice, 5)
    ids = [a.notifications.get(kind=NotificationKind.CONFIRMATION).pk for a in appointments]
    wait_for(
        lambda: Notification.objects.filter(pk__in=ids, state=S.SCHEDULED).count() == 5,
        what="five refusals, each put back with its back-off",
    )
    assert smtp.messages == []
    scan_until_settled(ids, now_offset=timedelta(minutes=2))  # beat, two minutes later
    assert_each_sent_once(smtp, ids)
    assert set(Notification.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {2}
    print("\n(c) 451 then 250: 5 of 5 exactly once, 2 attempts each; " + window_figures(caplog))


def test_a_hung_mail_server_times_out_and_every_message_goes_once_when_it_answers(
    smtp, worker, therapist, practice, settings
):
    settings.EMAIL_TIMEOUT = 1
    with hanging_smtp_server() as port:
        settings.EMAIL_PORT = port
        appointments = book_many(therapist, practice, 3)
        ids = [a.notifications.get(kind=NotificationKind.CONFIRMATION).pk for a in appointments]
        wait_for(
            lambda: (
                Notification.objects.filter(pk__in=ids, state=S.SCHEDULED, attempts=1).count() == 3
            ),
            what="three timeouts, each put back with its back-off",
        )
    settings.EMAIL_PORT = smtp.port  # the server answers again
    scan_until_settled(ids, now_offset=timedelta(minutes=2))
    assert_each_sent_once(smtp, ids)


def test_a_recipient_the_mail_server_hangs_on_delays_only_its_own_message(
    smtp, worker, therapist, practice, settings
):
    """One RCPT TO is never answered; with two sends at a time the others go meanwhile,
    and the hung one times out, is put back with its back-off and goes once later."""
    settings.EMAIL_TIMEOUT = 4
    smtp.handler.hang_rcpt.add("hung@example.com")
    starts = free_starts(therapist, 7)
    session_type = therapist.session_types.get()
    began = time.monotonic()
    sessions = [
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice, email=email),
            start=start,
        )
        for email, start in zip(
            ["hung@example.com"] + [f"robin{n}@example.com" for n in range(6)], starts, strict=True
        )
    ]
    hung, *others = [s.notifications.get(kind=NotificationKind.CONFIRMATION).pk for s in sessions]
    wait_for(lambda: rows_settled(others), timeout=20, what="the six others")
    others_after = time.monotonic() - began
    assert Notification.objects.get(pk=hung).state == S.SENDING  # still waiting on its RCPT
    wait_for(
        lambda: Notification.objects.filter(pk=hung, state=S.SCHEDULED, attempts=1).exists(),
        timeout=20,
        what="the hung one's timeout, put back with its back-off",
    )
    hung_after = time.monotonic() - began
    # smtplib closes the socket on the timeout, so it reads as a dropped connection.
    row = Notification.objects.get(pk=hung)
    assert row.last_error in ("TimeoutError", "SMTPServerDisconnected")
    assert row.due_at > timezone.now()
    assert others_after < settings.EMAIL_TIMEOUT <= hung_after  # loosely: 6 sends vs a timeout

    smtp.handler.hang_rcpt.clear()  # the server answers again
    scan_until_settled([hung], now_offset=timedelta(minutes=2))  # beat, after the back-off
    assert_each_sent_once(smtp, [hung, *others])
    print(
        f"\n(d) one RCPT TO hung: the other 6 sent in {others_after:.1f} s, the hung one timed "
        f"out after {hung_after:.1f} s (EMAIL_TIMEOUT {settings.EMAIL_TIMEOUT} s) and went once "
        "on its retry"
    )
