"""Time-zone helpers shared by the models, the slot engine and the API.

Rules are kept in wall-clock time plus an IANA zone; instants are aware UTC
datetimes. The two meet here, and the DST edge cases are decided here:

* a wall-clock time inside a spring-forward gap does not exist: ``wall_to_utc``
  returns ``None`` for it, and callers skip it; as the edge of a range it means
  the instant the clock jumps (``wall_to_utc_lenient``);
* a wall-clock time inside an autumn fold happens twice: it resolves to the
  first occurrence (``fold=0``, the earlier instant, still on summer time).
"""

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError

# The areas of the IANA names for places ("Europe/Berlin"). Everything else is
# refused as a client's, therapist's or practice's zone: "Factory" (no offset at
# all), "localtime" and "posixrules" (whatever the server has), POSIX-style rules
# ("EST5EDT", "EST"), "Etc/GMT+5" (sign inverted, no DST: one typo from an hour
# off), and the deprecated country aliases ("US/Eastern", "Japan", "GB") whose
# place names live on under the areas. "UTC" is the one exception: it is
# unambiguous, and integrations ask for times in it.
GEOGRAPHIC_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
ALSO_ACCEPTED = frozenset({"UTC"})


@cache
def zone_names() -> frozenset[str]:
    """The zone names we accept: the machine's IANA zones for places, plus UTC.

    Read once: the scan is slow. The one home of the rule (models, forms, APIs).
    """
    return frozenset(
        name
        for name in available_timezones()
        if "/" in name and name.split("/", 1)[0] in GEOGRAPHIC_AREAS
    ) | (ALSO_ACCEPTED & available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in zone_names():
        raise ValidationError(
            "%(name)s is not a time zone we accept. Use the IANA name of a place, "
            "such as Europe/Berlin, or UTC.",
            params={"name": name[:64]},
            code="invalid_time_zone",
        )


def zone_read(text: str) -> str | None:
    """The zone named by ``text`` (as typed or sent, surrounding spaces aside), or None.

    Every place that reads a zone from input asks here (pages, forms, APIs), so they agree.
    """
    name = text.strip() if isinstance(text, str) else ""
    return name if name in zone_names() else None


@cache
def get_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def wall_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of wall-clock ``day at`` in ``zone``; None if it does not exist."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # in the spring-forward gap
    return instant


def wall_to_utc_lenient(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Like ``wall_to_utc``, but a time inside a spring gap means the instant the clock jumps.

    For the edges of ranges (working hours, time off, a day's midnight): a
    boundary that does not exist is read as the moment the clock jumps past it,
    so hours "until 01:30" on the UK spring day end at 01:00 GMT (= 02:00 BST)
    and time off "from 02:30" on the US spring day starts at 03:00 EDT.
    """
    instant = wall_to_utc(day, at, zone)
    if instant is not None:
        return instant
    local = datetime.combine(day, at, tzinfo=zone)
    # In a gap, fold=1 reads the wall time with the offset after the jump (an
    # instant before it) and fold=0 with the offset before (an instant after it):
    # the jump lies between. Offsets change on whole seconds, so bisect seconds.
    lo = int(local.replace(fold=1).astimezone(UTC).timestamp())
    hi = int(local.replace(fold=0).astimezone(UTC).timestamp())
    if lo > hi:
        lo, hi = hi, lo
    after = datetime.fromtimestamp(hi, UTC).astimezone(zone).utcoffset()
    while lo < hi:
        middle = (lo + hi) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(zone).utcoffset() == after:
            hi = middle
        else:
            lo = middle + 1
    return datetime.fromtimestamp(hi, UTC)


# Names people know for the zones most clients live in, by the abbreviation the
# zone uses in winter or summer ("CST"/"CDT" → "Central Time"). Other zones
# read as their city and offset.
_GENERIC_NAMES = {
    "EST": "Eastern Time", "EDT": "Eastern Time",
    "CST": "Central Time", "CDT": "Central Time",
    "MST": "Mountain Time", "MDT": "Mountain Time",
    "PST": "Pacific Time", "PDT": "Pacific Time",
    "AKST": "Alaska Time", "AKDT": "Alaska Time",
    "HST": "Hawaii Time", "AST": "Atlantic Time", "ADT": "Atlantic Time",
    "NST": "Newfoundland Time", "NDT": "Newfoundland Time",
    "GMT": "Greenwich Mean Time", "BST": "UK Time", "IST": "Irish Time",
    "WET": "Western European Time", "WEST": "Western European Time",
    "CET": "Central European Time", "CEST": "Central European Time",
    "EET": "Eastern European Time", "EEST": "Eastern European Time",
    "MSK": "Moscow Time", "JST": "Japan Time", "KST": "Korea Time",
    "AEST": "Australian Eastern Time", "AEDT": "Australian Eastern Time",
    "ACST": "Australian Central Time", "ACDT": "Australian Central Time",
    "AWST": "Australian Western Time",
    "NZST": "New Zealand Time", "NZDT": "New Zealand Time",
}  # fmt: skip


def utc_offset_text(offset) -> str:
    """An offset as people write it: "UTC−6", "UTC+5:30", "UTC" (a true minus sign)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_choices(now: datetime) -> list[dict]:
    """Every zone as a person picks it: ``{"value": IANA name, "label": friendly name}``,
    by name (the public /book/zones.json and the staff client forms' zone search)."""
    return [{"value": name, "label": zone_label(name, now)} for name in sorted(zone_names())]


def zone_from_choice(text: str, now: datetime) -> str | None:
    """The IANA name for what was picked or typed: the name itself, or a friendly label
    exactly as the list shows it ("Mountain Time — Denver (UTC−7)"); None if neither."""
    text = text.strip()
    if text in zone_names():
        return text
    for choice in zone_choices(now):
        if choice["label"] == text:
            return choice["value"]
    return None


def zone_label(name: str, now: datetime) -> str:
    """ "Central Time — Chicago (UTC−6)": a zone as a client picks it, with today's offset."""
    local = now.astimezone(get_zone(name))
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    offset = utc_offset_text(local.utcoffset())
    if name == "UTC":
        return "UTC"
    generic = _GENERIC_NAMES.get(local.tzname() or "")
    if name == "Asia/Kolkata":
        generic = "India Time"  # IST is also Ireland's and Israel's
    elif generic == "Irish Time" and not name.startswith("Europe/Dublin"):
        generic = None
    return f"{generic} — {city} ({offset})" if generic else f"{city} ({offset})"
