"""Reads of the notification table for people: what the front desk must follow up."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from booking.models import (
    UNCERTAIN_SMS,
    Channel,
    Notification,
    NotificationKind,
    NotificationState,
)

# What the front desk reads for each kind: "We could not email Robin's <noun>".
DESK_NOUNS = {
    NotificationKind.REQUESTED: "request receipt",
    NotificationKind.CONFIRMATION: "confirmation",
    NotificationKind.UPDATE: "new session time",
    NotificationKind.CANCELLATION: "cancellation notice",
    NotificationKind.DECLINED: "declined-request notice",
    NotificationKind.REMINDER: "reminder",
    NotificationKind.NEW_LINKS: "new private link",
    NotificationKind.INTAKE_INVITE: "intake link",
    NotificationKind.INTAKE_NUDGE: "intake reminder",
}
FAILED_SHOWN_DAYS = 14


def _failure_phrase(row: Notification) -> str:
    """A text whose send never finished may have reached the phone: say so, not "could not"."""
    if row.channel == Channel.SMS:
        return "We may not have texted" if row.last_error == UNCERTAIN_SMS else "We could not text"
    return "We could not email"


def notifications_failed_for_desk(visible_clients, *, client=None, now=None) -> list[dict]:
    """Messages to clients that failed in the last two weeks and nobody has resent.

    ``visible_clients``: the clients the reader may see (practice.access), so a
    therapist sees their own clients' only. Each item carries the sentence
    the desk reads ("We could not email Robin's confirmation — call them"; for a text
    whose send never finished, "We may not have texted Robin's reminder — call them").
    """
    now = now or timezone.now()
    rows = (
        Notification.objects.filter(
            state=NotificationState.FAILED,
            kind__in=DESK_NOUNS,
            created_at__gte=now - timedelta(days=FAILED_SHOWN_DAYS),
            resends__isnull=True,
        )
        .filter(Q(appointment__client__in=visible_clients) | Q(intake__client__in=visible_clients))
        .select_related("appointment__client", "intake__client")
        .order_by("-created_at")
    )
    if client is not None:
        rows = rows.filter(Q(appointment__client=client) | Q(intake__client=client))
    items = []
    for row in rows[:50]:
        person = row.appointment.client if row.appointment_id else row.intake.client
        noun = DESK_NOUNS[row.kind]
        what = f"{person.name_to_use}'s {noun}"
        items.append(
            {
                "notification": row,
                "client": person,
                "noun": noun,
                "what": what,
                "sentence": f"{_failure_phrase(row)} {what} — call them",
            }
        )
    return items
