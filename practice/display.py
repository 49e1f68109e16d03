"""How people read times: which zone a staff page reads in, and how a wall time is written.

One zone per staff page (``page_zone``), said on the page:

* a page about one therapist (their calendar, a session, a series, the forms
  that book or move one) reads in that therapist's zone;
* a page across therapists (the front desk, Today, a client's record) reads in
  the viewer's zone: a therapist's own, otherwise the practice's, with each
  therapist's own time beside it where it reads differently (``own_time``).

``render_in_zone`` renders with that zone active, so Django's ``date`` and
``time`` filters convert to the zone the view already used and never to
another. ``wall_time`` (and the ``wall`` filter) writes a local time without
converting it, adding the zone's abbreviation when the wall time happens twice
(the repeated autumn hour: "01:30 EDT" / "01:30 EST").
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.shortcuts import render
from django.utils import dateformat, timezone

# The practice's clock (Practice.clock: "24" or "12"), for this request or task:
# a value or a function giving it, so it is read only when a time is written.
CLOCK_FORMATS = {"24": "H:i", "12": "g:i A"}
_clock: ContextVar = ContextVar("clock", default="24")


@contextmanager
def use_clock(clock):
    """Times written inside read on ``clock`` ("24", "12", or a function giving one)."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)


def time_format(clock=None) -> str:
    """The time format of ``clock``, else of the current practice's."""
    clock = clock or _clock.get()
    if callable(clock):
        clock = clock()
    return CLOCK_FORMATS.get(clock, CLOCK_FORMATS["24"])


# Regions whose people read a 12-hour clock ("2:00 PM"), as CLDR's preferred
# time formats have it; a client whose browser names one of these first reads
# the public booking pages on it, everyone else on the practice's clock.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "PH", "IN", "PK", "BD", "EG", "SA"})
_LANGUAGE_TAG = re.compile(r"([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}))?")


def clock_from_accept_language(header: str) -> str | None:
    """The clock ("12" or "24") of the first language naming a region (en-US: "12"), or None.

    French in Canada reads 24-hour, so the language counts too: a 12-hour
    region with a language other than English does not switch the clock.
    """
    for item in header.split(",")[:6]:
        match = _LANGUAGE_TAG.fullmatch(item.split(";")[0].strip())
        if not match or not match.group(2):
            continue
        language, region = match.group(1).lower(), match.group(2).upper()
        return "12" if region in TWELVE_HOUR_REGIONS and language == "en" else "24"
    return None


class ClockMiddleware:
    """Every request writes times on the current practice's clock (read lazily);
    the public booking pages on the client's, when their browser says which."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from practice.selectors import practice_current

        found = {}
        if request.path.startswith("/book/"):
            own = clock_from_accept_language(request.headers.get("Accept-Language", ""))
            if own is not None:
                found["clock"] = own

        def clock():
            if "clock" not in found:
                practice = practice_current()
                found["clock"] = practice.clock if practice is not None else "24"
            return found["clock"]

        with use_clock(clock):
            return self.get_response(request)


def page_zone(staff, *, therapist=None):
    """The zone a staff page reads in (the rule above)."""
    if therapist is not None:
        return therapist.zone
    if staff.therapist is not None:
        return staff.therapist.zone
    return staff.practice.zone


def render_in_zone(request, template: str, context: dict, *, zone, status: int = 200):
    """Render with ``zone`` active and named on the page (``page_zone``, ``practice_zone``)."""
    practice = getattr(getattr(request, "staff", None), "practice", None)
    context = {
        **context,
        "page_zone": str(zone),
        "practice_zone": practice.time_zone if practice is not None else "",
    }
    with timezone.override(zone):
        if practice is not None:
            with use_clock(practice.clock):
                return render(request, template, context, status=status)
        return render(request, template, context, status=status)


def is_ambiguous(local: datetime) -> bool:
    """True when this wall time happens twice in its zone (the repeated autumn hour)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset() and (
        other.astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(tzinfo=None)
    )


def wall_time(local: datetime, fmt: str | None = None, *, clock: str | None = None) -> str:
    """``local`` written in its own zone (never converted), with "EDT"/"EST" if it repeats.

    ``fmt`` defaults to the time on the practice's clock ("14:00" or "2:00 PM").
    """
    text = dateformat.format(local, fmt or time_format(clock))
    if is_ambiguous(local):
        text = f"{text} {local.tzname()}"
    return text


def wall_time_named(local: datetime, fmt: str | None = None) -> str:
    """``local`` with its zone's abbreviation always ("14:00 EST", "01:30 EDT"): for a
    line that must name its zone on its own, such as an email subject."""
    return f"{dateformat.format(local, fmt or time_format())} {local.tzname()}"


def stamp(instant: datetime, fmt: str = "D j M Y", zone=None) -> str:
    """When something happened (cancelled, recorded, sent), written in ``zone`` (the
    page's active zone by default) and always naming it: "Tue 1 Dec 2026 05:36 PST".

    For moments in a staff page's record rows, which sit among times in other zones.
    """
    local = instant.astimezone(zone or timezone.get_current_timezone())
    return f"{dateformat.format(local, fmt)} {wall_time_named(local)}"


def zone_named(local: datetime) -> str:
    """A time's zone as a client reads it in a message: the same IANA name the pages
    show, after the abbreviation that tells the repeated hour apart ("CST, America/Chicago")."""
    key = getattr(local.tzinfo, "key", "")
    abbreviation = local.tzname() or ""
    return f"{abbreviation}, {key}" if key and key != abbreviation else abbreviation or key


def own_time(instant: datetime, *, shown_zone, own_zone, fmt: str | None = None) -> str:
    """The therapist's own wall time of ``instant`` with their zone, if it reads
    differently from the page's zone; "" when the two agree."""
    shown, own = instant.astimezone(shown_zone), instant.astimezone(own_zone)
    if shown.replace(tzinfo=None) == own.replace(tzinfo=None):
        return ""
    return f"{wall_time(own, fmt)} {own_zone.key}"


def staff_name(user) -> str:
    """A staff member as logs name them: their full name when set, else their user name
    ("" for nobody). The one rule for the session log, the audit log and "entered by"."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def client_time(instant: datetime, *, shown_zone, client) -> str:
    """ "11:00 MST for Casey": the client's own wall time (their record's zone) when it
    reads differently from the page's; "" when the two agree.

    For staff booking on a client's behalf, who say the time the way the client hears it.
    """
    shown, own = instant.astimezone(shown_zone), instant.astimezone(client.zone)
    if shown.replace(tzinfo=None) == own.replace(tzinfo=None):
        return ""
    return f"{wall_time_named(own)} for {client.name_to_use}"


def in_zones(instant: datetime, *zones) -> list[str]:
    """``instant`` as each distinct zone reads it.

    "Tue 10 Mar 2026 14:00 PDT (America/Los_Angeles)", one line per zone.

    For the check before a typed date and time is saved (book, move, series).
    """
    lines, seen = [], set()
    for zone in zones:
        if zone.key in seen:
            continue
        seen.add(zone.key)
        local = instant.astimezone(zone)
        when = f"{dateformat.format(local, 'D j M Y')} {dateformat.format(local, time_format())}"
        lines.append(f"{when} {local.tzname()} ({zone.key})")
    return lines
