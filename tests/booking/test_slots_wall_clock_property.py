"""A property over random zones and dates: every offered session lies inside the therapist's
stated hours on the therapist's own wall clock, start and end.

The check is independent of the engine: each offered start and end is read back on
the zone's wall clock with zoneinfo; an end that would fall in the spring gap is
held to the gap rule (a boundary in the gap is the instant the clock jumps), which
is found here minute by minute.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.scheduling.slots import Request, Rules, free_slots
from practice.timezones import zone_names

ALL_ZONES = sorted(zone_names())


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(ALL_ZONES),
    day=st.one_of(
        st.dates(date(2026, 1, 1), date(2028, 12, 31)),
        # Change days in many zones (US, EU, Southern hemisphere, Lord Howe), 2027.
        st.sampled_from(
            [
                date(2027, 3, 14),
                date(2027, 3, 28),
                date(2027, 4, 4),
                date(2027, 10, 3),
                date(2027, 10, 31),
                date(2027, 11, 7),
                date(2027, 9, 26),
            ]
        ),
    ),
    start_q=st.integers(0, 20 * 4),
    length_q=st.integers(2, 14),
    minutes=st.sampled_from([15, 30, 45, 50, 60]),
    step=st.sampled_from([15, 30, 60]),
)
def test_every_offered_session_is_inside_the_stated_hours_on_the_wall_clock(
    zone_name, day, start_q, length_q, minutes, step
):
    zone = ZoneInfo(zone_name)
    start_minute = start_q * 15
    end_minute = min(start_minute + length_q * 15, 23 * 60 + 45)
    open_t = time(start_minute // 60, start_minute % 60)
    close_t = time(end_minute // 60, end_minute % 60)
    rules = Rules(zone=zone, weekly={day.weekday(): [(open_t, close_t)]})
    req = Request(
        duration=timedelta(minutes=minutes),
        step=timedelta(minutes=step),
        earliest=datetime(2000, 1, 1, tzinfo=UTC),
        latest=datetime(2100, 1, 1, tzinfo=UTC),
    )
    window = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(days=1)
    for start in free_slots(rules, req, window, window + timedelta(days=3)):
        local_start = start.astimezone(zone)
        local_end = (start + req.duration).astimezone(zone)
        if local_start.date() != day:
            continue  # hours of a neighbouring weekday of the same name are not drawn
        assert local_start.replace(tzinfo=None) >= datetime.combine(day, open_t)
        if exists(day, close_t, zone):
            # The real end is at or before the stated end, read as that instant.
            limit = datetime.combine(day, close_t, tzinfo=zone).astimezone(UTC)
        else:
            limit = jump_past(day, close_t, zone)  # the gap rule
        assert start + req.duration <= limit, (zone_name, local_start, local_end)
        assert local_end.replace(tzinfo=None) <= datetime.combine(day, close_t) or (
            local_end.utcoffset() != local_start.utcoffset()
        ), (zone_name, local_start, local_end)


def jump_past(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant the clock jumps past a wall time in a gap, found minute by minute."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.replace(fold=1).astimezone(UTC)  # read with the later offset: before the jump
    before = instant.astimezone(zone).utcoffset()
    while instant.astimezone(zone).utcoffset() == before:
        instant += timedelta(minutes=1)
    return instant
