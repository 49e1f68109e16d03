"""Celery tasks: thin wrappers that take ids; the work is in booking.notify.dispatch."""

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from booking.notify import dispatch

from booking.notify import notifications

from booking.scheduling import services
from practice.dbfaults import DISCONNECTS, reset_connection


@shared_task(ignore_result=True)
def send_notification(notification_id: int) -> str:
    return dispatch.notification_send(notification_id=notification_id)


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


@shared_task(ignore_result=True)
def dispatch_due_notifications() -> int:
    """Every minute (beat): claim what is due and hand it to the workers."""
    ids = dispatch.notifications_claim_due()
    dispatch.notifications_enqueue(ids)
    return len(ids)


@shared_task(ignore_result=True)
def schedule_daily_agendas() -> int:
    """Every 15 minutes (beat): make sure each wanted agenda has its row."""
    return notifications.notifications_schedule_agendas(now=timezone.now())


@shared_task(ignore_result=True)
def schedule_failure_summaries() -> int:
    """Every hour (beat): the owners' daily list of failed messages, once a day from 08:00."""
    return notifications.notifications_schedule_failure_summaries(now=timezone.now())


@shared_task(ignore_result=True)
def release_expired_holds() -> int:
    return services.holds_release_expired()


@shared_task(ignore_result=True)
def release_unconfirmed_bookings() -> int:
    """Every 5 minutes (beat): free the times of public bookings nobody confirmed."""
    return services.bookings_release_unconfirmed()
