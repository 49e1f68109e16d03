"""Parse iCalendar the way calendar apps' libraries do, and insist they agree."""

from datetime import date

import icalendar
import recurring_ical_events
import vobject


def parse_all(data: bytes | str) -> icalendar.Calendar:
    """Parse with icalendar and vobject, expand with recurring-ical-events; same events in all."""
    text = data.decode() if isinstance(data, bytes) else data
    calendar = icalendar.Calendar.from_ical(text)
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    parsed = vobject.readOne(text)
    assert sorted(e.uid.value for e in parsed.contents.get("vevent", [])) == uids
    expanded = recurring_ical_events.of(calendar).between(date(1990, 1, 1), date(2100, 1, 1))
    assert sorted(str(e["UID"]) for e in expanded) == uids
    return calendar
