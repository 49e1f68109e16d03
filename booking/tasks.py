"""Celery tasks: thin wrappers that take ids; the work is in booking.dispatch."""

from celery import shared_task

from booking import dispatch


@shared_task(ignore_result=True)
def send_notification(notification_id: int) -> str:
    return dispatch.notification_send(notification_id=notification_id)


@shared_task(ignore_result=True)
def dispatch_due_notifications() -> int:
    """Every minute (beat): claim what is due and hand it to the workers."""
    ids = dispatch.notifications_claim_due()
    dispatch.notifications_enqueue(ids)
    return len(ids)
