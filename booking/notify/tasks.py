"""Celery tasks: thin wrappers that take ids; the work is in booking.notify.dispatch.

Each keeps the name it was registered under when it lived in ``booking.tasks``: queued
messages and the beat schedule of a running deployment refer to tasks by name.
"""

from celery import shared_task
from django.utils import timezone

from booking.notify import dispatch, notifications
from booking.scheduling import services


@shared_task(name="booking.tasks.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> str:
    return dispatch.notification_send(notification_id=notification_id)


@shared_task(name="booking.tasks.dispatch_due_notifications", ignore_result=True)
def dispatch_due_notifications() -> int:
    """Every minute (beat): claim what is due and hand it to the workers."""
    ids = dispatch.notifications_claim_due()
    dispatch.notifications_enqueue(ids)
    return len(ids)


@shared_task(name="booking.tasks.schedule_daily_agendas", ignore_result=True)
def schedule_daily_agendas() -> int:
    """Every 15 minutes (beat): make sure each wanted agenda has its row."""
    return notifications.notifications_schedule_agendas(now=timezone.now())


@shared_task(name="booking.tasks.release_expired_holds", ignore_result=True)
def release_expired_holds() -> int:
    return services.holds_release_expired()


@shared_task(name="booking.tasks.release_unconfirmed_bookings", ignore_result=True)
def release_unconfirmed_bookings() -> int:
    """Every 5 minutes (beat): free the times of public bookings nobody confirmed."""
    return services.bookings_release_unconfirmed()
