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

# Names in the zone database that are not a place's clock: "Factory" (no offset at
# all), "localtime" (whatever the server's clock is set to, a file some systems add
# beside the database) and "posixrules" (the template for POSIX TZ strings).
NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# The areas of the IANA names for places ("Europe/Berlin"): the zones the pick lists
# offer, with "UTC".
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


@cache
def zone_names() -> frozenset[str]:
    """Every zone name read from input: each IANA name zoneinfo knows, less ``NOT_ZONES``.

    Backward links ("US/Pacific", and "Asia/Calcutta", which browsers still send) and
    Etc/ names ("Etc/UTC", "GMT", "Etc/GMT+5") are valid names that people and systems
    send, so they are read as what they are. Names are exact: case matters, as in the
    database's own files (``zone_suggestion`` offers the right spelling).
    Read once: the scan is slow. The one home of the rule (models, forms, pages, APIs).
    """
    return frozenset(
        name
        for name in available_timezones()
        if name not in NOT_ZONES and not name.startswith(("posix/", "right/"))
    )


@cache
def zone_names_listed() -> frozenset[str]:
    """The zones the pick lists offer: places, plus UTC.

    The other accepted names are read when typed or sent, but not offered: next to
    "America/New_York", "US/Eastern" and "EST5EDT" only make the choice harder, and
    "Etc/GMT+5" (five hours behind UTC: the sign is inverted) misleads.
    """
    return frozenset(
        name for name in zone_names() if "/" in name and name.split("/", 1)[0] in GEOGRAPHIC_AREAS
    ) | ({"UTC"} & zone_names())


@cache
def _by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zone_names()}


def zone_suggestion(text: str) -> str | None:
    """The zone ``text`` names but for its case ("europe/berlin": "Europe/Berlin"), if any."""
    if not isinstance(text, str):
        return None
    return _by_folded_name().get(text.strip().casefold())


def zone_unknown_message(text: str) -> str:
    """What to say of a zone name we do not read: the name (shortened) and, when only the
    case is wrong, the right spelling."""
    said = f"{str(text).strip()[:64]} is not a time zone we know."
    right = zone_suggestion(text)
    return f"{said} Did you mean {right}?" if right else said


def validate_time_zone(name: str) -> None:
    if zone_read(name) != name:
        raise ValidationError(
            "%(problem)s Use an IANA name such as Europe/Berlin.",
            params={"problem": zone_unknown_message(name)},
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
    return [{"value": name, "label": zone_label(name, now)} for name in sorted(zone_names_listed())]


def zone_from_choice(text: str, now: datetime) -> str | None:
    """The IANA name for what was picked or typed: the name itself, or a friendly label
    exactly as the list shows it ("Mountain Time — Denver (UTC−7)"); None if neither."""
    name = zone_read(text)
    if name is not None:
        return name
    text = text.strip()
    for choice in zone_choices(now):
        if choice["label"] == text:
            return choice["value"]
    return None


def zone_label(name: str, now: datetime) -> str:
    """ "Central Time — Chicago (UTC−6)": a zone as a client picks it, with today's offset."""
    local = now.astimezone(get_zone(name))
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    offset = utc_offset_text(local.utcoffset())
    if name.startswith("Etc/") or local.tzname() == "UTC":
        # "Etc/GMT+5" is UTC−5 (the name's sign is inverted): say the offset alone.
        return offset
    generic = _GENERIC_NAMES.get(local.tzname() or "")
    if name == "Asia/Kolkata":
        generic = "India Time"  # IST is also Ireland's and Israel's
    elif generic == "Irish Time" and not name.startswith("Europe/Dublin"):
        generic = None
    return f"{generic} — {city} ({offset})" if generic else f"{city} ({offset})"
