"""'Add to Google Calendar' and 'Add to Outlook' links for one session (no personal data)."""

from datetime import UTC
from urllib.parse import urlencode

from booking.models import Appointment, AppointmentStatus
from practice.models import Modality


def _what_where(appointment: Appointment) -> tuple[str, str]:
    title = f"{appointment.session_type.name} with {appointment.therapist.display_name}"
    if appointment.status == AppointmentStatus.PENDING:
        # Not yet confirmed (the .ics says TENTATIVE; these links have no such field).
        title = f"Requested: {title}"
    if appointment.session_type.modality == Modality.TELEHEALTH:
        return title, "Telehealth"
    return title, appointment.practice.address or appointment.practice.name


def google(appointment: Appointment) -> str:
    title, where = _what_where(appointment)
    fmt = "%Y%m%dT%H%M%SZ"
    dates = f"{appointment.start.astimezone(UTC):{fmt}}/{appointment.end.astimezone(UTC):{fmt}}"
    query = {"action": "TEMPLATE", "text": title, "dates": dates, "location": where}
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook(appointment: Appointment) -> str:
    title, where = _what_where(appointment)
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": appointment.start.astimezone(UTC).isoformat(),
        "enddt": appointment.end.astimezone(UTC).isoformat(),
        "location": where,
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
