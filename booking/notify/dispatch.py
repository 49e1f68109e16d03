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

import logging
import smtplib
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from anymail.exceptions import AnymailAPIError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
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
    """Send one claimed notification; a no-op unless it is claimed and still applies.

    Returns what happened (``sent``, ``cancelled``, ``retry``, ``failed``,
    ``noop``, ``unrecorded``), for logs and tests.

    Every database step runs on a fresh connection if the last one dropped
    (``retry_on_fresh_connection``), above all the record of the provider's
    acceptance: a send that reached the provider must never look unsent.
    """
    now = now or timezone.now()
    notification = retry_on_fresh_connection(lambda: _start(notification_id, now), what="a claim")
    if isinstance(notification, str):
        return notification
    began = time.monotonic()
    try:
        provider_id = _deliver(notification, now)
    except TRANSIENT_ERRORS as exc:
        return _after_error(notification, exc, transient=True, now=now)
    except REPLY_ERRORS as exc:
        return _after_error(notification, exc, transient=transient_error(exc), now=now)
    except sms.SMSError as exc:
        return _after_error(notification, exc, transient=exc.transient, now=now)
    accepted_at, accepted = timezone.now(), time.monotonic()
    try:
        retry_on_fresh_connection(
            lambda: notification_record_acceptance(
                notification_id=notification.pk, provider_id=provider_id, accepted_at=accepted_at
            ),
            what="marking a message sent",
        )
    except DISCONNECTS:
        # The database stayed away through every retry: the message was sent.
        log.error("Notification %s sent; the database is away", notification.pk)
        if hand_off is not None:
            hand_off(notification.pk, provider_id, accepted_at)
        return "unrecorded"
    # The window in which a dying worker would leave an accepted message
    # unrecorded (docs/deployment.md, "What survives which fault").
    done = time.monotonic()
    log.info(
        "Notification %s sent: provider took %.1f ms, recorded %.1f ms after its acceptance",
        notification.pk,
        (accepted - began) * 1000,
        (done - accepted) * 1000,
    )
    return "sent"


def notification_record_acceptance(
    *, notification_id: int, provider_id: str, accepted_at: datetime
) -> bool:
    """The provider accepted it: sent. Idempotent (a conditional UPDATE); False if already so."""
    return bool(
        Notification.objects.filter(pk=notification_id, state=NotificationState.SENDING).update(
            state=NotificationState.SENT,
            sent_at=accepted_at,
            provider_accepted_at=accepted_at,
            provider_message_id=provider_id,
        )
    )


def _start(notification_id: int, now: datetime) -> Notification | str:
    """Lock the appointment (if any), then the row; mark the send as started, or say why not.

    The same lock order as the booking services (appointment first), so a
    cancellation either lands before this check or waits until the send began.
    """
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("practice", "client", "therapist", "session_type")
            .filter(notifications__pk=notification_id)
            .first()
        )
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related(
                "therapist__user",
                "intake__client",
                "intake__practice",
                "safety_alert__client__assigned_therapist__user",
                "safety_alert__practice",
                "practice",
            )
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "noop"
        if notification.state != NotificationState.SENDING or notification.send_started_at:
            return "noop"  # already sent, cancelled, or another delivery is sending it
        if not _still_applies(notification, appointment, now):
            notification.state = NotificationState.CANCELLED
            notification.save(update_fields=["state"])
            return "cancelled"
        # Exact without F(): the row is locked.
        notification.attempts += 1
        notification.send_started_at = now
        notification.save(update_fields=["attempts", "send_started_at"])
        notification.appointment = appointment
        return notification


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


def _deliver(notification: Notification, now: datetime) -> str:
    if notification.channel == Channel.SMS:
        body = messages.build_sms(notification)
        return sms.get_backend().send(to=notification.appointment.client.phone, body=body)
    email = messages.build_email(notification, now=now)
    email.send()
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
