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

from datetime import datetime

from django.shortcuts import render
from django.utils import dateformat, timezone


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
        return render(request, template, context, status=status)


def is_ambiguous(local: datetime) -> bool:
    """True when this wall time happens twice in its zone (the repeated autumn hour)."""
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset() and (
        other.astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(tzinfo=None)
    )


def wall_time(local: datetime, fmt: str = "H:i") -> str:
    """``local`` written in its own zone (never converted), with "EDT"/"EST" if it repeats."""
    text = dateformat.format(local, fmt)
    if is_ambiguous(local):
        text = f"{text} {local.tzname()}"
    return text


def own_time(instant: datetime, *, shown_zone, own_zone, fmt: str = "H:i") -> str:
    """The therapist's own wall time of ``instant`` with their zone, if it reads
    differently from the page's zone; "" when the two agree."""
    shown, own = instant.astimezone(shown_zone), instant.astimezone(own_zone)
    if shown.replace(tzinfo=None) == own.replace(tzinfo=None):
        return ""
    return f"{wall_time(own, fmt)} {own_zone.key}"


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
        lines.append(f"{dateformat.format(local, 'D j M Y H:i T')} ({zone.key})")
    return lines
