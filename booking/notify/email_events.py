"""What an email provider tells us after the hand-over (django-anymail's tracking webhook).

The provider posts to /anymail/<provider>/tracking/ (basic auth with
ANYMAIL_WEBHOOK_SECRET); anymail normalises the event and sends its
``tracking`` signal, and the matching notification row (by the provider's
message id, stored when it was sent) records the outcome. Opens and clicks
are not tracked: only what says whether the message arrived.
"""

from anymail.signals import EventType, tracking
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from booking.models import Notification

DELIVERY_EVENTS = {
    EventType.QUEUED,
    EventType.SENT,
    EventType.DEFERRED,
    EventType.DELIVERED,
    EventType.BOUNCED,
    EventType.REJECTED,
    EventType.FAILED,
    EventType.COMPLAINED,
}


def notification_record_delivery(*, provider_message_id: str, status: str, at) -> int:
    """Record a provider's word on one message; an older event never overwrites a newer one."""
    if status not in DELIVERY_EVENTS or not provider_message_id:
        return 0
    return (
        Notification.objects.filter(provider_message_id=provider_message_id)
        .filter(Q(delivery_status_at__isnull=True) | Q(delivery_status_at__lte=at))
        .update(delivery_status=status, delivery_status_at=at)
    )


@receiver(tracking, dispatch_uid="booking.email_events")
def on_tracking_event(sender, event, esp_name, **kwargs) -> None:
    notification_record_delivery(
        provider_message_id=event.message_id or "",
        status=event.event_type,
        at=event.timestamp or timezone.now(),
    )
