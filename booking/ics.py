"""iCalendar for appointments, through the ``icalendar`` library (no hand-written text).

One builder for every place an appointment becomes an event: email
attachments, the per-appointment download and (later) the calendar feeds.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event

from booking.models import Appointment, AppointmentStatus
from practice.models import Modality

PRODID = "-//Therapy practice booking//EN"

_STATUS = {
    AppointmentStatus.PENDING: "TENTATIVE",
    AppointmentStatus.CONFIRMED: "CONFIRMED",
}


def event_uid(appointment: Appointment) -> str:
    """Stable for the appointment's whole life: reschedules keep it."""
    return f"{appointment.public_id}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def client_event(appointment: Appointment, *, now: datetime) -> Event:
    """The event as its client sees it: what, with whom, where; nothing clinical."""
    session_type = appointment.session_type
    if session_type.modality == Modality.TELEHEALTH:
        location = "Telehealth (the link arrives before the session)"
    else:
        location = appointment.practice.address or appointment.practice.name
    return Event.new(
        uid=event_uid(appointment),
        stamp=now.astimezone(UTC),
        start=appointment.start.astimezone(UTC),
        end=appointment.end.astimezone(UTC),
        sequence=appointment.sequence,
        last_modified=appointment.updated_at.astimezone(UTC),
        status=_STATUS.get(appointment.status, "CANCELLED"),
        transparency="OPAQUE",
        summary=f"{session_type.name} with {appointment.therapist.display_name}",
        location=location,
    )


def client_invitation(appointment: Appointment, *, method: str, now: datetime) -> bytes:
    """A one-event calendar for an email attachment or download.

    ``method`` is REQUEST for a new or moved session, CANCEL for a cancelled
    one (same UID, higher SEQUENCE), PUBLISH for a plain download.
    """
    calendar = Calendar.new(
        prodid=PRODID,
        method=method,
        calscale="GREGORIAN",
        subcomponents=[client_event(appointment, now=now)],
    )
    return calendar.to_ical()
