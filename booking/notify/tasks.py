"""The Celery boundary for messages: the tasks workers run, and handing rows to them.

Tasks are thin wrappers that take ids; the work is in booking.notify.dispatch. Each
keeps the name it was registered under when it lived in ``booking.tasks``: queued
messages and the beat schedule of a running deployment refer to tasks by name.

Handing over lives here, next to the task it enqueues, so that dispatch (claiming
and sending) never needs to import the tasks that call it.
"""

from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from booking.models import Notification, NotificationState
from booking.notify import dispatch, notifications
from practice.dbfaults import DISCONNECTS, reset_connection, retry_on_fresh_connection

log = dispatch.log


@shared_task(ignore_result=True)
def send_notifications(notification_ids: list[int]) -> dict[int, str]:
    """A batch of claimed rows (``dispatch.SEND_BATCH`` at most): one connection, each once.

    Rows the batch had no time for are handed to a worker again, still claimed.
    """
    outcomes = dispatch.notifications_send_batch(
        notification_ids=notification_ids, hand_off=_hand_off_acceptance
    )
    notifications_enqueue([pk for pk, outcome in outcomes.items() if outcome == "deferred"])
    return outcomes


@shared_task(name="booking.tasks.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> str:
    """One row: what queues written before batches may still hold (new work is batched)."""
    return send_notifications([notification_id])[notification_id]


@shared_task(
    ignore_result=True,
    autoretry_for=DISCONNECTS,
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=8,  # about 5 minutes in all: inside NOTIFICATION_STUCK_AFTER_SECONDS
)
def record_notification_acceptance(
    notification_id: int, provider_id: str, accepted_at: str
) -> bool:
    """A sent message whose record the database missed (idempotent: a duplicate is a no-op)."""
    reset_connection()
    return dispatch.notification_record_acceptance(
        notification_id=notification_id,
        provider_id=provider_id,
        accepted_at=datetime.fromisoformat(accepted_at),
    )


def _hand_off_acceptance(notification_id: int, provider_id: str, accepted_at: datetime) -> None:
    """The database stayed away through every retry: let the broker carry the record.

    ``record_notification_acceptance`` retries until the database is back,
    well inside NOTIFICATION_STUCK_AFTER_SECONDS, so the scanner never mistakes
    this message for an unsent one.
    """
    try:
        record_notification_acceptance.apply_async(
            (notification_id, provider_id, accepted_at.isoformat()), retry=False
        )
    except BrokerError:
        log.critical(
            "Notification %s was sent and neither the database nor the broker could record it",
            notification_id,
        )


@shared_task(name="booking.tasks.dispatch_due_notifications", ignore_result=True)
def dispatch_due_notifications() -> int:
    """Every minute (beat): claim what is due and hand it to the workers."""
    ids = dispatch.notifications_claim_due()
    notifications_enqueue(ids)
    return len(ids)


@shared_task(name="booking.tasks.schedule_daily_agendas", ignore_result=True)
def schedule_daily_agendas() -> int:
    """Every 15 minutes (beat): make sure each wanted agenda has its row."""
    return notifications.notifications_schedule_agendas(now=timezone.now())


@shared_task(ignore_result=True)
def schedule_failure_summaries() -> int:
    """Every hour (beat): the owners' daily list of failed messages, once a day from 08:00."""
    return notifications.notifications_schedule_failure_summaries(now=timezone.now())


@shared_task(ignore_result=True)
def escalate_overdue_requests() -> int:
    """Every 15 minutes (beat): requests nobody handled in time go to the owners, once each."""
    return notifications.notifications_escalate_overdue_requests(now=timezone.now())


def notifications_send_after_commit(ids: list[int]) -> None:
    """After the surrounding transaction commits, send these (due now) without waiting
    for the scanner. The one way every app hands over messages it has just written.

    robust: the writer's transaction is committed whatever the broker does; if sending
    cannot start now, the scanner sends these within a minute or so.
    """
    if ids:
        transaction.on_commit(lambda: notifications_send_now(ids), robust=True)


def notifications_send_when_due(*, appointment_id: int, at: datetime) -> None:
    """After commit, send the session's messages held back until ``at`` (a change staff may
    still undo) as soon as they fall due, instead of at the scanner's next pass, up to a
    minute later. A short countdown on the broker; if it is lost, the scanner sends them.
    """

    def publish():
        try:
            send_session_messages_due.apply_async((appointment_id,), eta=at, retry=False)
        except BrokerError:
            log.warning("Broker unavailable; a held-back message is left for the scanner.")

    transaction.on_commit(publish, robust=True)


@shared_task(ignore_result=True)
def send_session_messages_due(appointment_id: int) -> int:
    """Claim and send what is due now for one session (nothing, if an undo called it off)."""
    ids = list(
        Notification.objects.filter(
            appointment_id=appointment_id,
            state=NotificationState.SCHEDULED,
            due_at__lte=timezone.now(),
        ).values_list("pk", flat=True)
    )
    notifications_send_now(ids)
    return len(ids)


def notifications_send_now(ids: list[int]) -> None:
    """Claim these (due now) and hand them to the workers, without waiting for the scanner."""
    now = timezone.now()
    claimed = retry_on_fresh_connection(
        lambda: Notification.objects.filter(pk__in=ids, state=NotificationState.SCHEDULED).update(
            state=NotificationState.SENDING, claimed_at=now, send_started_at=None
        ),
        what="claiming messages due now",
    )
    if claimed:
        notifications_enqueue(ids)


def notifications_enqueue(ids: list[int]) -> None:
    """Hand ids to the workers, ``SEND_BATCH`` to a task. A broker outage loses nothing:
    the scanner retries."""
    for index in range(0, len(ids), dispatch.SEND_BATCH):
        try:
            send_notifications.apply_async((ids[index : index + dispatch.SEND_BATCH],), retry=False)
        except BrokerError:
            log.warning("Broker unavailable; %d notification(s) left for the scanner.", len(ids))
            Notification.objects.filter(
                pk__in=ids[index:], state=NotificationState.SENDING, send_started_at__isnull=True
            ).update(state=NotificationState.SCHEDULED)
            return
