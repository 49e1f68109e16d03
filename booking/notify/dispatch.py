"""Moving notifications: claim the due ones, send each exactly once.

The pattern (after healthchecks' sendalerts): every state change is a
conditional UPDATE or happens under a row lock, so two scanners never claim the
same row and two deliveries of one send task never send twice.

    scheduled --scanner claims--> sending --worker sends--> sent
        ^                            |  \\--no longer applies--> cancelled
        |                            |   \\--permanent error / too many attempts--> failed
        +--transient error (backoff)-+
        +--stuck (worker died, task lost) after NOTIFICATION_STUCK_AFTER_SECONDS
"""

import contextlib
import functools
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from anymail.exceptions import AnymailAPIError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from booking.models import (
    ACTIVE_STATUSES,
    STAFF_KINDS,
    UNCERTAIN_SMS,
    Appointment,
    AppointmentStatus,
    Channel,
    Notification,
    NotificationKind,
    NotificationState,
)
from booking.notify import messages, sms
from practice.dbfaults import DISCONNECTS, retry_on_fresh_connection

log = logging.getLogger(__name__)

CLAIM_BATCH = 500
# Ids per send task: one locking read, one connection to the email provider.
SEND_BATCH = 50

# Errors worth another try later; anything else is a bug or a permanent refusal.
# An SMTP reply (or an email provider's HTTP answer) says which it is: transient_error().
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    ConnectionError,
    TimeoutError,  # EMAIL_TIMEOUT, socket timeouts
    SoftTimeLimitExceeded,  # the task's soft time limit: a hung server
)
REPLY_ERRORS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, AnymailAPIError)


def transient_error(exc: Exception) -> bool:
    """SMTP 4xx (RFC 5321: try again later) and provider 429/5xx are transient; 5xx/4xx not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, AnymailAPIError):
        status = exc.status_code
        return status is None or status == 429 or status >= 500
    return not 500 <= exc.smtp_code < 600


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def notifications_claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """Take back stuck rows, then claim due ones; returns the ids to send."""
    now = now or timezone.now()
    _recover_stuck(now)
    with transaction.atomic():
        # SKIP LOCKED on PostgreSQL: concurrent scanners split the work instead
        # of queueing behind each other. (SQLite serialises writers anyway.)
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=NotificationState.SCHEDULED, due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=due, state=NotificationState.SCHEDULED).update(
            state=NotificationState.SENDING, claimed_at=now, send_started_at=None
        )
    return due


def _recover_stuck(now: datetime) -> None:
    """Take back rows whose send never finished (a worker died, Redis lost the task).

    Claimed but never started: provably not sent, so scheduled again. Started
    but no acceptance recorded: uncertain (the worker may have died after the
    provider accepted it). An email is sent again, with the same Message-ID
    (``messages.message_id``), because a lost confirmation or reminder costs a
    client more than a rare repeat that many mail programs fold into one. A
    text message has no such identity and a repeat reaches a phone: it is
    marked failed instead ("may not have been sent"), and the front desk sees
    it and can resend it.
    """
    stuck_before = now - timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS)
    stuck = Notification.objects.filter(state=NotificationState.SENDING).filter(
        Q(send_started_at__lt=stuck_before)
        | Q(send_started_at__isnull=True, claimed_at__lt=stuck_before)
    )
    stuck.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
        state=NotificationState.FAILED, last_error="Gave up: its send never finished."
    )
    stuck.filter(channel=Channel.SMS, send_started_at__isnull=False).update(
        state=NotificationState.FAILED, last_error=UNCERTAIN_SMS
    )
    stuck.update(state=NotificationState.SCHEDULED, send_started_at=None, due_at=now)


def notification_send(
    *,
    notification_id: int,
    now: datetime | None = None,
    hand_off: Callable[[int, str, datetime], None] | None = None,
) -> str:
    """Send one claimed notification: a batch of one (``notifications_send_batch``).

    Returns what happened (``sent``, ``cancelled``, ``retry``, ``failed``,
    ``noop``, ``unrecorded``), for logs and tests.
    """
    outcomes = notifications_send_batch(
        notification_ids=[notification_id], now=now, hand_off=hand_off
    )
    return outcomes[notification_id]


def notifications_send_batch(
    *,
    notification_ids: list[int],
    now: datetime | None = None,
    hand_off: Callable[[int, str, datetime], None] | None = None,
) -> dict[int, str]:
    """Send claimed notifications over one connection to the email provider, each at most once.

    Returns each id's outcome: ``sent``, ``cancelled``, ``retry``, ``failed``,
    ``noop`` (not ours to send: gone, already sent or started, called off),
    ``unrecorded`` (sent; the database was away, the broker carries the
    record), or ``deferred`` (still claimed and not started: the batch ran out
    of time, and the caller hands these to a worker again).

    Steps:
    1. One transaction locks the batch's appointments, then its rows (the
       booking services' order: appointment first), and calls off in one
       UPDATE the rows that no longer apply (a cancelled or moved session, a
       reminder after the start).
    2. For each remaining row, in id order: mark it started with a
       conditional UPDATE (a row called off or taken by another delivery since
       step 1 is skipped), build it, and hand it over on the batch's
       connection. The provider's acceptance is recorded at once, in the same
       commit as the next row's start: one commit per message, and the window
       in which a dying worker leaves an accepted message unrecorded stays one
       message wide (docs/deployment.md, "What survives which fault").
    3. A failed message is that message's alone: it is put back with its
       back-off or failed (``_after_error``), the connection is replaced, and
       the batch goes on. Once the batch has run for half the task's soft time
       limit (a slow or hung server), the rows not started are deferred.

    Every database step runs on a fresh connection if the last one dropped
    (``retry_on_fresh_connection``), above all the record of the provider's
    acceptance: a send that reached the provider must never look unsent.
    """
    ids = list(dict.fromkeys(notification_ids))
    outcomes = dict.fromkeys(ids, "noop")
    checked_at = now or timezone.now()
    to_send, called_off = retry_on_fresh_connection(
        lambda: _check_batch(ids, checked_at), what="a claim"
    )
    outcomes.update(dict.fromkeys(called_off, "cancelled"))
    outbox, accepted, unexpected = _Outbox(), None, None
    began, budget = time.monotonic(), settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    try:
        for index, notification in enumerate(to_send):
            if index and time.monotonic() - began > budget:
                outcomes.update(dict.fromkeys((n.pk for n in to_send[index:]), "deferred"))
                break
            started_at = now or timezone.now()
            started = _record_and_start(accepted, notification, started_at, hand_off, outcomes)
            accepted = None
            if not started:
                continue  # called off, or another delivery started it, since step 1
            try:
                accepted = _deliver_one(notification, started_at, outbox, outcomes)
            except Exception as exc:  # a bug in one message must not stop the others
                log.exception("Notification %s could not be sent", notification.pk)
                outbox.drop()
                unexpected = unexpected or exc
        _record_and_start(accepted, None, None, hand_off, outcomes)
    finally:
        outbox.drop()
    if unexpected is not None:
        raise unexpected  # after the others: never swallowed (its row is left to the scanner)
    return outcomes


class _Outbox:
    """The batch's one connection to the email provider: opened on first use, replaced
    after any error (a reply may have left it closed or mid-conversation)."""

    def __init__(self):
        self.backend = None

    def send(self, email) -> None:
        if self.backend is None:
            self.backend = get_connection()
            self.backend.open()
        email.connection = self.backend
        email.send()

    def drop(self) -> None:
        backend, self.backend = self.backend, None
        if backend is None:
            return
        # QUIT on a broken connection can fail: the connection is gone either way.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            backend.close()


@dataclass
class _Accepted:
    """A message the provider accepted, whose record is the next commit's first write."""

    notification_id: int
    provider_id: str
    accepted_at: datetime
    provider_ms: float  # how long the hand-over took
    at: float  # time.monotonic() at the acceptance


def _deliver_one(notification, started_at, outbox: _Outbox, outcomes) -> _Accepted | None:
    """Hand one started message over; on an error, put it back or fail it (step 3)."""
    began = time.monotonic()
    try:
        provider_id = _deliver(notification, started_at, outbox)
    except TRANSIENT_ERRORS as exc:  # the soft time limit too: the budget then defers the rest
        outbox.drop()
        outcomes[notification.pk] = _after_error(notification, exc, transient=True, now=started_at)
        return None
    except REPLY_ERRORS as exc:
        outbox.drop()
        transient = transient_error(exc)
        outcomes[notification.pk] = _after_error(
            notification, exc, transient=transient, now=started_at
        )
        return None
    except sms.SMSError as exc:
        outcomes[notification.pk] = _after_error(
            notification, exc, transient=exc.transient, now=started_at
        )
        return None
    accepted = time.monotonic()
    return _Accepted(
        notification.pk, provider_id, timezone.now(), (accepted - began) * 1000, accepted
    )


def _record_and_start(
    accepted: _Accepted | None, notification, started_at, hand_off, outcomes
) -> bool:
    """One commit: record the last accepted message as sent, and start the next (if any).

    Both writes are conditional UPDATEs that a repeat finds done (the start
    matches its own ``send_started_at``), so the pair is simply repeated on a
    fresh connection if the connection drops, even during its COMMIT.
    Returns whether ``notification`` is now started, and ours to send.
    """

    def both() -> bool:
        with transaction.atomic():
            if accepted is not None:
                notification_record_acceptance(
                    notification_id=accepted.notification_id,
                    provider_id=accepted.provider_id,
                    accepted_at=accepted.accepted_at,
                )
            return notification is not None and _mark_started(notification, started_at)

    if accepted is None and notification is None:
        return False
    try:
        started = retry_on_fresh_connection(both, what="marking a message sent")
    except DISCONNECTS:
        if accepted is not None:
            # The database stayed away through every retry: the message was sent.
            log.error("Notification %s sent; the database is away", accepted.notification_id)
            outcomes[accepted.notification_id] = "unrecorded"
            if hand_off is not None:
                hand_off(accepted.notification_id, accepted.provider_id, accepted.accepted_at)
        raise  # the rest of the batch waits for the scanner
    if accepted is not None:
        outcomes[accepted.notification_id] = "sent"
        # The window in which a dying worker would leave an accepted message
        # unrecorded (docs/deployment.md, "What survives which fault").
        log.info(
            "Notification %s sent: provider took %.1f ms, recorded %.1f ms after its acceptance",
            accepted.notification_id,
            accepted.provider_ms,
            (time.monotonic() - accepted.at) * 1000,
        )
    if started:
        notification.attempts += 1
        notification.send_started_at = started_at
    return started


def notification_record_acceptance(
    *, notification_id: int, provider_id: str, accepted_at: datetime
) -> bool:
    """The provider accepted it: sent. Idempotent (a conditional UPDATE); False if already so."""
    return _run(
        "record_acceptance",
        NotificationState.SENT.value,
        ("sent_at", accepted_at),
        ("provider_accepted_at", accepted_at),
        provider_id,
        notification_id,
        NotificationState.SENDING.value,
    )


def _check_batch(ids: list[int], now: datetime) -> tuple[list[Notification], list[int]]:
    """Step 1: lock the appointments (if any), then the rows; call off what no longer
    applies. Returns the rows to send, in id order, and the ids called off.

    The same lock order as the booking services (appointment first), so a
    cancellation either lands before this check or finds the row still
    claimed and not started, and calls it off (step 2's UPDATE then skips it).
    """
    with transaction.atomic():
        appointments = {
            appointment.pk: appointment
            for appointment in Appointment.objects.select_for_update(of=("self",))
            # The session type's and therapist's practice too: reminder offsets and the
            # video provider are read through them (one read for the batch, not one each).
            .select_related("practice", "client", "therapist__practice", "session_type__practice")
            .filter(pk__in=Notification.objects.filter(pk__in=ids).values("appointment_id"))
            .order_by("pk")
        }
        rows = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(
                "therapist__user",
                "intake__client",
                "intake__practice",
                "safety_alert__client__assigned_therapist__user",
                "safety_alert__practice",
                "practice",
            )
            .filter(pk__in=ids)
            .order_by("pk")
        )
        to_send, called_off = [], []
        for notification in rows:
            if notification.state != NotificationState.SENDING or notification.send_started_at:
                continue  # already sent, cancelled, or another delivery is sending it
            appointment = appointments.get(notification.appointment_id)
            notification.appointment = appointment
            if _still_applies(notification, appointment, now):
                to_send.append(notification)
            else:
                called_off.append(notification.pk)
        if called_off:
            Notification.objects.filter(pk__in=called_off).update(state=NotificationState.CANCELLED)
    return to_send, called_off


def _mark_started(notification: Notification, started_at: datetime) -> bool:
    """Claimed and not started (nor called off since the check): now started.

    Idempotent: a repeat after a COMMIT whose answer was lost finds its own
    ``send_started_at`` and sets the same values again.
    """
    return _run(
        "mark_started",
        notification.attempts + 1,
        ("send_started_at", started_at),
        notification.pk,
        NotificationState.SENDING.value,
        ("send_started_at", started_at),
    )


# The two writes every message makes (its start, its acceptance), as statements written
# once per process: the ORM built and compiled the same UPDATE for each message, over a
# third of the worker's CPU per message (docs/performance.md, "The worker's CPU per
# message"). Each does what the ORM call beside it did: the same conditions, the same
# values, adapted by their fields (tests/booking/test_notification_send_cost.py, and
# the exactly-once tests in test_notification_batches.py and tests/faults/).
_STATEMENTS = {
    # .filter(pk=…, state=SENDING).update(state=SENT, sent_at=…, provider_accepted_at=…,
    #                                     provider_message_id=…)
    "record_acceptance": (
        "UPDATE {table} SET {state} = %s, {sent_at} = %s, {provider_accepted_at} = %s,"
        " {provider_message_id} = %s WHERE {id} = %s AND {state} = %s"
    ),
    # .filter(pk=…, state=SENDING).filter(Q(send_started_at__isnull=True) |
    #         Q(send_started_at=started_at)).update(attempts=…, send_started_at=started_at)
    "mark_started": (
        "UPDATE {table} SET {attempts} = %s, {send_started_at} = %s"
        " WHERE {id} = %s AND {state} = %s"
        " AND ({send_started_at} IS NULL OR {send_started_at} = %s)"
    ),
}


@functools.cache
def _statement(name: str, vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = {field.name: quote(field.column) for field in Notification._meta.concrete_fields}
    return _STATEMENTS[name].format(table=quote(Notification._meta.db_table), **columns)


def _run(name: str, *params) -> bool:
    """Run a statement of ``_STATEMENTS``; True if it changed a row. A ``(field, value)``
    parameter is adapted by that field, as the ORM adapts it (a datetime on SQLite)."""
    fields = Notification._meta
    values = [
        fields.get_field(p[0]).get_db_prep_value(p[1], connection) if isinstance(p, tuple) else p
        for p in params
    ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(name, connection.vendor), values)
        return cursor.rowcount > 0


def _client_of(notification: Notification, appointment: Appointment | None):
    """The client a message goes to, or None (staff messages: agendas, safety alerts, requests)."""
    if notification.kind in STAFF_KINDS:
        return None
    if appointment is not None:
        return appointment.client
    if notification.intake_id is not None:
        return notification.intake.client
    return None


def _still_applies(notification: Notification, appointment: Appointment | None, now) -> bool:
    # An address nobody has proven gets "confirm your email" and nothing else,
    # whatever scheduled the message (a booking, an intake link a staff member resent...).
    if notification.kind == NotificationKind.VERIFY_EMAIL:
        return appointment.email_confirm_by is not None and appointment.email_confirm_by > now
    client = _client_of(notification, appointment)
    if client is not None and not client.is_verified:
        return False
    # Consent to texts can be withdrawn (or the number removed) after scheduling.
    if notification.channel == Channel.SMS and not (client and client.can_receive_sms):
        return False
    if notification.kind == NotificationKind.SAFETY_ALERT:
        return notification.safety_alert.acknowledged_at is None
    if notification.kind in (NotificationKind.INTAKE_INVITE, NotificationKind.INTAKE_NUDGE):
        intake = notification.intake
        if intake.is_complete or intake.client.anonymised_at is not None:
            return False
        if notification.kind == NotificationKind.INTAKE_NUDGE:
            # Only while a session is still coming up.
            return Appointment.objects.filter(
                client=intake.client, status__in=ACTIVE_STATUSES, start__gt=now
            ).exists()
        return True
    if notification.kind == NotificationKind.FAILURE_SUMMARY:
        return True
    if notification.kind in STAFF_KINDS:
        # Only while someone still has to say yes or no.
        return appointment.status == AppointmentStatus.PENDING and appointment.start > now
    if notification.kind == NotificationKind.AGENDA:
        therapist = notification.therapist
        return therapist.is_active and therapist.daily_agenda_at is not None
    if notification.kind == NotificationKind.DECLINED:
        return appointment.status == AppointmentStatus.CANCELLED
    if notification.kind == NotificationKind.CANCELLATION:
        return appointment.status in (
            AppointmentStatus.CANCELLED,
            AppointmentStatus.LATE_CANCELLED,
        )
    if appointment.status not in ACTIVE_STATUSES:
        return False
    if notification.appointment_sequence != appointment.sequence:
        return False
    # A reminder is never sent after its session has started.
    return not (notification.kind == NotificationKind.REMINDER and now >= appointment.start)


def _deliver(notification: Notification, now: datetime, outbox: _Outbox) -> str:
    if notification.channel == Channel.SMS:
        body = messages.build_sms(notification)
        return sms.get_backend().send(to=notification.appointment.client.phone, body=body)
    email = messages.build_email(notification, now=now)
    outbox.send(email)
    # An HTTP provider's own id (what its delivery webhooks name), else our Message-ID.
    # (Several recipients get several provider ids: keep ours then.)
    provider_id = getattr(getattr(email, "anymail_status", None), "message_id", None)
    if provider_id is None or isinstance(provider_id, set):
        return email.extra_headers["Message-ID"]
    return str(provider_id)


def _after_error(notification: Notification, exc: Exception, *, transient: bool, now) -> str:
    # The type and SMTP code only: an exception's text can hold an address.
    code = getattr(exc, "smtp_code", None)
    error = type(exc).__name__ + (f" ({code})" if code else "")
    gave_up = not transient or notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
    update = {"last_error": error, "send_started_at": None}
    if gave_up:
        update["state"] = NotificationState.FAILED
    else:
        update["state"] = NotificationState.SCHEDULED
        update["due_at"] = now + backoff(notification.attempts)
    claimed = Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING)
    retry_on_fresh_connection(lambda: claimed.update(**update), what="recording a failed send")
    log.warning(
        "Notification %s %s after attempt %s: %s",
        notification.pk,
        "failed" if gave_up else "will be retried",
        notification.attempts,
        type(exc).__name__,
    )
    return "failed" if gave_up else "retry"
