"""Time-zone helpers shared by the models, the slot engine and the API.

Rules are kept in wall-clock time plus an IANA zone; instants are aware UTC
datetimes. The two meet here, and the DST edge cases are decided here:

* a wall-clock time inside a spring-forward gap does not exist: ``wall_to_utc``
  returns ``None`` for it, and callers skip it;
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
    """Like ``wall_to_utc``, but a time inside a gap maps by the offset in force before it.

    For the edges of ranges (time off, the end of working hours), where a
    boundary inside the gap still needs an instant: PEP 495's ``fold=0`` rule,
    so "until 02:30" on a spring-forward night means 03:30 summer time.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
