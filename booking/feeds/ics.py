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


def appointment_event_bytes(
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
) -> bytes:
    """``appointment_event(...).to_ical()``, byte for byte, written directly.

    For the feeds' cold build: ``icalendar`` spends ~0.25 ms an event on
    property objects, and a feed may hold thousands. Same properties in the
    same order, the same TEXT escaping and line folding as ``icalendar``
    7.x (tests/booking/test_ics_fast.py compares the two on random input and
    parses the result back).
    """
    stamp = _utc_stamp(changed)
    lines = [
        "BEGIN:VEVENT",
        "SUMMARY:" + _escape(summary),
        "DTSTART:" + _utc_stamp(start),
        "DTEND:" + _utc_stamp(end),
        "DTSTAMP:" + stamp,
        "UID:" + _escape(event_uid(public_id)),
        f"SEQUENCE:{int(sequence)}",
        "LAST-MODIFIED:" + stamp,
    ]
    if location is not None:
        lines.append("LOCATION:" + _escape(location))
    lines += ["STATUS:" + ical_status(status), "TRANSP:OPAQUE"]
    if url:
        lines.append("URL:" + url)  # a URI value: not TEXT-escaped (as icalendar writes it)
    lines.append("END:VEVENT")
    return "".join(_fold(line) + "\r\n" for line in lines).encode()


def _utc_stamp(instant: datetime) -> str:
    # What strftime("%Y%m%dT%H%M%SZ") gives, at a third of its cost.
    t = instant.astimezone(UTC)
    return f"{t.year:04}{t.month:02}{t.day:02}T{t.hour:02}{t.minute:02}{t.second:02}Z"


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping, in icalendar's order (which normalises line ends)."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """Fold a content line before 75 octets, never splitting a character, and (as
    icalendar does) never leaving a backslash or caret at the end of a piece."""
    if len(line.encode()) < limit:
        return line
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, size = [carried], len(carried.encode())
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


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
