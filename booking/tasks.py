"""Celery tasks: thin wrappers that take ids; the work is in booking.dispatch."""

from celery import shared_task
from django.utils import timezone

from booking import dispatch, notifications, services


@shared_task(ignore_result=True)
def send_notification(notification_id: int) -> str:
    return dispatch.notification_send(notification_id=notification_id)


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
def release_expired_holds() -> int:
    return services.holds_release_expired()


@shared_task(ignore_result=True)
def release_unconfirmed_bookings() -> int:
    """Every 5 minutes (beat): free the times of public bookings nobody confirmed."""
    return services.bookings_release_unconfirmed()
