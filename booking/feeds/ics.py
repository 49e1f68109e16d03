"""iCalendar for appointments, through the ``icalendar`` library (no hand-written text).

One builder for every place an appointment becomes an event: email
attachments, the per-appointment download and (later) the calendar feeds.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vDuration

from booking.models import Appointment, AppointmentStatus
from practice.models import Modality

PRODID = "-//Therapy practice booking//EN"


def ical_status(status: str) -> str:
    """TENTATIVE while awaiting approval, CANCELLED once called off, else CONFIRMED."""
    if status == AppointmentStatus.PENDING:
        return "TENTATIVE"
    if status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        return "CANCELLED"
    return "CONFIRMED"


def uid_domain() -> str:
    return _hostname(settings.SITE_URL)


@lru_cache(maxsize=8)
def _hostname(url: str) -> str:
    return urlsplit(url).hostname or "localhost"


def event_uid(public_id) -> str:
    """Stable for the appointment's whole life: reschedules keep it."""
    return f"{public_id}@{uid_domain()}"


def client_event(appointment: Appointment, *, now: datetime) -> Event:
    """The event as its client sees it: what, with whom, where; nothing clinical."""
    session_type = appointment.session_type
    if session_type.modality == Modality.TELEHEALTH:
        location = "Telehealth (the link arrives before the session)"
    else:
        location = appointment.practice.address or appointment.practice.name
    return appointment_event(
        public_id=appointment.public_id,
        start=appointment.start,
        end=appointment.end,
        changed=appointment.updated_at,
        sequence=appointment.sequence,
        status=appointment.status,
        summary=f"{session_type.name} with {appointment.therapist.display_name}",
        location=location,
        stamp=now,
    )


def client_invitation(appointment: Appointment, *, method: str, now: datetime) -> bytes:
    """A one-event calendar for an email attachment or download.

    ``method`` is REQUEST for a new or moved session, CANCEL for a cancelled
    one (same UID, higher SEQUENCE), PUBLISH for a plain download.
    """
    event = client_event(appointment, now=now)
    if method in ("REQUEST", "CANCEL"):
        _add_parties(event, appointment)
    calendar = Calendar.new(
        prodid=PRODID, method=method, calscale="GREGORIAN", subcomponents=[event]
    )
    return calendar.to_ical()


def _add_parties(event: Event, appointment: Appointment) -> None:
    """RFC 5546: a REQUEST or CANCEL names its ORGANIZER (the practice) and ATTENDEE (the client).

    Addresses and the practice's name only; the client is named by address alone.
    """
    practice = appointment.practice
    organizer = vCalAddress(
        "mailto:" + (practice.contact_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    )
    organizer.params["CN"] = practice.name
    event.add("organizer", organizer)
    if appointment.client is not None and appointment.client.email:
        attendee = vCalAddress("mailto:" + appointment.client.email)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION" if appointment.is_active else "DECLINED"
        event.add("attendee", attendee)


# --- Subscription feeds ---------------------------------------------------------

REFRESH = timedelta(hours=1)


def feed_calendar(*, name: str, event_blocks: list[bytes]) -> bytes:
    """A whole feed. Calendar apps read REFRESH-INTERVAL (RFC 7986) or X-PUBLISHED-TTL.

    ``event_blocks`` are VEVENTs already serialised by ``icalendar`` (see
    ``booking.feeds.feeds`` for why); they go in just before END:VCALENDAR.

    No calendar-level UID (RFC 7986 allows one): vdirsyncer's http storage
    takes a UID line outside the events for the UID of the whole feed and
    keeps one event of it (tests/booking/test_feed_subscribers.py); apps know
    a subscription by its address anyway.
    """
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        calscale="GREGORIAN",
        name=name,  # also writes X-WR-CALNAME
    )
    calendar.pop("UID", None)  # Calendar.new makes a random one up
    # RFC 7986 wants VALUE=DURATION on REFRESH-INTERVAL, and a timedelta given
    # to an X- property would be written "1:00:00": both set by hand.
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    # No X-WR-TIMEZONE: every time is UTC already, and parsers that apply it
    # (recurring-ical-events) move events in the repeated autumn hour (tested).
    head, end = calendar.to_ical().rsplit(b"END:VCALENDAR", 1)
    return b"".join([head, *event_blocks, b"END:VCALENDAR", end])


def appointment_event(
    *,
    public_id,
    start: datetime,
    end: datetime,
    changed: datetime,
    sequence: int,
    status: str,
    summary: str,
    location: str | None = None,
    url: str | None = None,
    stamp: datetime | None = None,
) -> Event:
    """One appointment as an event, for feeds, downloads and email attachments alike.

    The same UID everywhere, for the appointment's whole life, and its change
    counter as SEQUENCE. ``stamp`` defaults to the last change (not the fetch
    time), so an unchanged feed stays byte-identical.
    """
    changed = changed.astimezone(UTC)
    return Event.new(
        uid=event_uid(public_id),
        stamp=(stamp or changed).astimezone(UTC),
        last_modified=changed,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        sequence=sequence,
        status=ical_status(status),
        transparency="OPAQUE",
        summary=summary,
        location=location,
        url=url or None,
    )


def busy_event(*, uid: str, start, end, changed: datetime) -> Event:
    """Time off, as a busy block with no detail: instants (in UTC), or dates (all day)."""
    changed = changed.astimezone(UTC)
    if isinstance(start, datetime):
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    return Event.new(
        uid=uid,
        stamp=changed,
        last_modified=changed,
        start=start,
        end=end,
        status="CONFIRMED",
        transparency="OPAQUE",
        summary="Time off",
    )
