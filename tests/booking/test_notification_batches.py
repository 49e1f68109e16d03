"""Messages sent in batches (``notifications_send_batch``): one connection to the mail
server per batch, each message still exactly once, a failure its own message's alone,
and a worker that dies mid-batch leaves nothing the scanner cannot put right.

The mail server is real (aiosmtpd on loopback, tests/support/smtp_server.py) and
tells connections apart by the client's port.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking.models import Notification, NotificationKind, NotificationState
from booking.notify import dispatch, messages
from booking.notify.dispatch import notifications_claim_due, notifications_send_batch
from booking.notify.tasks import send_notifications
from tests.booking.test_worker_integration import book_many
from tests.support.real_delivery import smtp  # noqa: F401
from tests.support.smtp_server import NOTIFICATION_ID

pytestmark = pytest.mark.django_db
S = NotificationState


def claimed(therapist, practice, sessions: int) -> list[int]:
    """Sessions booked, their reminders fallen due, and the scanner's claim (with the
    confirmations, which are due from the start): three emails a session, in id order."""
    book_many(therapist, practice, sessions)
    Notification.objects.filter(kind=NotificationKind.REMINDER).update(due_at=timezone.now())
    ids = sorted(notifications_claim_due())
    assert len(ids) == 3 * sessions
    return ids


def states(ids) -> dict[int, str]:
    return dict(Notification.objects.filter(pk__in=ids).values_list("pk", "state"))


def test_a_batch_goes_over_one_smtp_connection_and_each_message_once(
    smtp,  # noqa: F811 (the fixture imported above)
    therapist,
    practice,
):
    ids = claimed(therapist, practice, 4)
    first, second = ids[:8], ids[8:]
    assert notifications_send_batch(notification_ids=first) == dict.fromkeys(first, "sent")
    assert notifications_send_batch(notification_ids=second) == dict.fromkeys(second, "sent")
    assert Counter(smtp.notification_ids()) == Counter(ids)
    peers = smtp.handler.peers
    assert len(peers) == 12
    assert len(set(peers[:8])) == 1 and len(set(peers[8:])) == 1  # one connection each
    assert peers[0] != peers[8]
    assert set(states(ids).values()) == {S.SENT}


def test_a_refused_message_fails_alone_and_the_rest_of_its_batch_goes_once(
    smtp,  # noqa: F811
    therapist,
    practice,
):
    ids = claimed(therapist, practice, 3)
    refused, greylisted, *others = ids
    smtp.refuse_rcpt("550 5.1.1 No such user")  # the batch's first RCPT TO
    smtp.refuse_rcpt("451 4.7.1 Greylisted, try again later")  # its second

    outcomes = notifications_send_batch(notification_ids=ids)

    assert outcomes == {refused: "failed", greylisted: "retry"} | dict.fromkeys(others, "sent")
    assert Counter(smtp.notification_ids()) == Counter(others)
    assert len(set(smtp.handler.peers)) == 1  # the others shared the connection after them
    row = Notification.objects.get(pk=refused)
    assert (row.state, row.last_error) == (S.FAILED, "SMTPRecipientsRefused")
    row = Notification.objects.get(pk=greylisted)
    assert (row.state, row.attempts) == (S.SCHEDULED, 1)
    assert row.due_at > timezone.now()

    # Beat, after the back-off: the greylisted one alone goes again, and nothing else.
    later = timezone.now() + timedelta(minutes=2)
    assert notifications_claim_due(now=later) == [greylisted]
    assert notifications_send_batch(notification_ids=[greylisted], now=later) == {
        greylisted: "sent"
    }
    assert Counter(smtp.notification_ids()) == Counter([*others, greylisted])


def test_a_bug_in_one_message_does_not_stop_the_others_and_is_raised_after_them(
    smtp,  # noqa: F811
    therapist,
    practice,
    monkeypatch,
):
    ids = claimed(therapist, practice, 2)
    broken = ids[1]
    build = messages.build_email

    def build_or_break(notification, *, now):
        if notification.pk == broken:
            raise ValueError("a template that does not render")
        return build(notification, now=now)

    monkeypatch.setattr(messages, "build_email", build_or_break)
    with pytest.raises(ValueError, match="does not render"):
        notifications_send_batch(notification_ids=ids)
    others = [pk for pk in ids if pk != broken]
    assert Counter(smtp.notification_ids()) == Counter(others)
    assert states(others) == dict.fromkeys(others, S.SENT)
    row = Notification.objects.get(pk=broken)
    # Started and never handed over: the scanner takes it back after the stuck time.
    assert row.state == S.SENDING and row.send_started_at is not None


class WorkerDied(BaseException):
    """kill -9, as far as the batch can tell: nothing of it runs after this."""


def test_a_worker_killed_mid_batch_leaves_its_claimed_rows_to_the_scanner_each_sent_once(
    smtp,  # noqa: F811
    therapist,
    practice,
    monkeypatch,
    settings,
):
    ids = claimed(therapist, practice, 4)
    deliver, handed = dispatch._deliver, []

    def deliver_until_killed(notification, now, outbox):
        if len(handed) == 3:
            raise WorkerDied  # the worker dies as it hands over the batch's fourth message
        handed.append(notification.pk)
        return deliver(notification, now, outbox)

    monkeypatch.setattr(dispatch, "_deliver", deliver_until_killed)
    with pytest.raises(WorkerDied):
        notifications_send_batch(notification_ids=ids)
    monkeypatch.setattr(dispatch, "_deliver", deliver)

    sent, killed_at, queued = ids[:3], ids[3], ids[4:]
    assert Counter(smtp.notification_ids()) == Counter(sent)
    # The third's "sent" went with the fourth's "started", in one commit.
    assert states(sent) == dict.fromkeys(sent, S.SENT)
    rows = {n.pk: n for n in Notification.objects.filter(pk__in=ids[3:])}
    assert rows[killed_at].state == S.SENDING and rows[killed_at].send_started_at is not None
    assert all(rows[pk].state == S.SENDING and rows[pk].send_started_at is None for pk in queued)

    # Beat's scanner once they count as stuck: it takes back the claimed rows (provably
    # unsent) and the one being handed over (uncertain: an email goes again, same Message-ID).
    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    assert sorted(notifications_claim_due(now=later)) == ids[3:]
    assert set(notifications_send_batch(notification_ids=ids[3:], now=later).values()) == {"sent"}
    assert notifications_claim_due(now=later + timedelta(hours=1)) == []
    assert Counter(smtp.notification_ids()) == Counter(ids)  # every message, each exactly once
    attempts = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "attempts"))
    assert attempts == {pk: 2 if pk == killed_at else 1 for pk in ids}


def test_a_batch_out_of_time_hands_the_rest_to_a_worker_again_still_claimed(
    therapist, practice, settings
):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0  # no time at all: one message per task
    ids = claimed(therapist, practice, 2)
    outcomes = notifications_send_batch(notification_ids=ids)
    assert outcomes == {ids[0]: "sent"} | dict.fromkeys(ids[1:], "deferred")
    rest = Notification.objects.filter(pk__in=ids[1:])
    assert set(rest.values_list("state", "send_started_at")) == {(S.SENDING, None)}

    send_notifications.delay(ids[1:])  # the task hands what it deferred to a worker again
    sent = [NOTIFICATION_ID.search(m.extra_headers["Message-ID"])[1] for m in mail.outbox]
    assert Counter(map(int, sent)) == Counter(ids)
    assert set(states(ids).values()) == {S.SENT}


def test_a_batch_reads_its_rows_once_and_writes_once_per_message(therapist, practice):
    ids = claimed(therapist, practice, 6)
    with CaptureQueriesContext(connection) as queries:
        notifications_send_batch(notification_ids=ids)
    assert len(mail.outbox) == 18
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # One locking read of the appointments and one of the rows; then each message's
    # start (with the last one's "sent") and the last message's "sent".
    assert len(statements) == 2 + 2 * len(ids), [sql[:60] for sql in statements]


def test_email_templates_are_compiled_once_per_process():
    """Django's cached loader (what the settings get with no ``loaders`` of their own)."""
    (loader,) = engines["django"].engine.template_loaders
    assert isinstance(loader, CachedLoader)
    first = loader.get_template("emails/reminder.txt")
    assert loader.get_template("emails/reminder.txt") is first
