"""The slot engine: free start times for one therapist and one session type.

Pure: no ORM, no clock. ``booking.scheduling.selectors`` reads the rules and busy times
from the database (a fixed number of queries) and calls ``free_slots``.

Algorithm
1. Clip the asked-for UTC window to [now + notice, now + horizon] (and, always,
   to the engine's range: see ``clamp_window``).
2. Walk the therapist's local calendar days that can touch the window (one day
   either side, since the window is in UTC and days are local).
3. For each working interval of that day (weekly hours plus that date's extra
   hours; one that ends at or before its start runs past midnight, and hours
   reaching midnight join the next day's from 00:00: ``_stretches_on``), step
   through wall-clock start times from the interval's start, every ``step``
   minutes, while start + duration (in real elapsed time) still ends by the
   interval's end.
4. Turn each wall-clock start into a UTC instant in the therapist's zone. A time
   inside a spring-forward gap does not exist and is skipped; a time inside an
   autumn fold takes its first occurrence (``fold=0``).
   When an interval holds no clock change (nearly always), starts are simply
   the first one plus multiples of the step, with no zone look-ups.
5. Keep a start if the session does not overlap time off and its buffered span
   (start - buffer_before, end + buffer_after) does not overlap any busy span.
   Busy spans and time off are merged into sorted disjoint lists first, so each
   test is one binary search.
6. Return the sorted, de-duplicated UTC starts.

Cost: O(B log B) to merge B busy spans, then O(C log B) for C candidates.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from practice.parsing import FIRST_DAY, LAST_DAY
from practice.timezones import wall_to_utc, wall_to_utc_lenient

Span = tuple[datetime, datetime] | tuple[float, float]
WallInterval = tuple[time, time]

_ONE_DAY = timedelta(days=1)

# The engine's range: the dates people may type (practice.parsing) with a week's
# margin, far inside datetime's limits. Rows stored before the checks existed (time
# off "until 9999-12-31") are clamped to it, so a day's or a zone's arithmetic on
# them cannot overflow and take every booking page down.
ENGINE_FIRST_DAY = FIRST_DAY - timedelta(days=7)
ENGINE_LAST_DAY = LAST_DAY + timedelta(days=7)
_FLOOR = datetime.combine(ENGINE_FIRST_DAY, time(0), tzinfo=UTC)
_CEILING = datetime.combine(ENGINE_LAST_DAY, time(0), tzinfo=UTC)


@dataclass(frozen=True)
class Rules:
    """A therapist's availability, as stored: wall-clock rules in one zone."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[WallInterval]]  # weekday (Monday = 0) -> intervals
    extra: Mapping[date, Sequence[WallInterval]] = field(default_factory=dict)
    # Spans as aware datetimes or POSIX seconds.
    time_off: Sequence[Span] = ()  # see ``time_off_span``
    busy: Sequence[Span] = ()  # buffered spans of existing sessions


@dataclass(frozen=True)
class Request:
    """What is being booked, and when it may start."""

    duration: timedelta
    step: timedelta
    earliest: datetime  # now + minimum notice
    latest: datetime  # now + booking horizon
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


def free_slots(rules: Rules, req: Request, window_start: datetime, window_end: datetime) -> list:
    """Free UTC start times in [window_start, window_end); see the module docstring."""
    _require_aware(window_start, window_end, req.earliest, req.latest)
    window_start, window_end = clamp_window(window_start, window_end)
    # Internally every instant is POSIX seconds (a float): comparing and
    # bisecting floats is several times cheaper than aware datetimes.
    lo = max(window_start, req.earliest).timestamp()
    hi = min(window_end.timestamp(), req.latest.timestamp() + 1e-6)  # latest itself is allowed
    if lo >= hi:
        return []
    busy_starts, busy_ends = _merge(_seconds(rules.busy))
    off_starts, off_ends = _merge(_seconds(rules.time_off))
    duration = req.duration.total_seconds()
    before, after = req.buffer_before.total_seconds(), req.buffer_after.total_seconds()
    step_minutes = max(1, int(req.step.total_seconds() // 60))
    found: set[float] = set()
    day = _local_date(lo, rules.zone) - _ONE_DAY
    last_day = _local_date(hi, rules.zone) + _ONE_DAY
    while day <= last_day:
        for start_t, end_days, end_t in _stretches_on(rules, day):
            for start in _candidate_starts(
                rules.zone, day, start_t, end_t, step_minutes, duration, end_days=end_days
            ):
                if start < lo or start >= hi:
                    continue
                end = start + duration
                if _overlaps(off_starts, off_ends, start, end):
                    continue
                if _overlaps(busy_starts, busy_ends, start - before, end + after):
                    continue
                found.add(start)
        day += _ONE_DAY
    return [datetime.fromtimestamp(start, UTC) for start in sorted(found)]


def conflict_at(
    rules: Rules, start: datetime, duration: timedelta, before: timedelta, after: timedelta
) -> str:
    """Why a session at ``start`` does not fit the rules ("" when it does).

    For staff-made times (standing appointments): "session" (overlaps another
    session, buffers included), "time off", or "hours" (outside working hours).
    """
    _require_aware(start)
    s = start.timestamp()
    e = s + duration.total_seconds()
    busy_starts, busy_ends = _merge(_seconds(rules.busy))
    if _overlaps(busy_starts, busy_ends, s - before.total_seconds(), e + after.total_seconds()):
        return "session"
    off_starts, off_ends = _merge(_seconds(rules.time_off))
    if _overlaps(off_starts, off_ends, s, e):
        return "time off"
    day = _local_date(s, rules.zone)
    for on in (day - _ONE_DAY, day):  # the day before may run past midnight into this one
        for start_t, end_days, end_t in _stretches_on(rules, on):
            lo = wall_to_utc_lenient(on, start_t, rules.zone).timestamp()
            hi = wall_to_utc_lenient(on + end_days * _ONE_DAY, end_t, rules.zone).timestamp()
            if lo <= s and e <= hi:
                return ""
    return "hours"


def clamp_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """A UTC window cut to the engine's range (the one clamp every caller goes through)."""
    return max(start, _FLOOR), min(end, _CEILING)


def clamp_day(day: date) -> date:
    """A date cut to the engine's range."""
    return min(max(day, ENGINE_FIRST_DAY), ENGINE_LAST_DAY)


def _candidate_starts(
    zone: ZoneInfo,
    day: date,
    start_t: time,
    end_t: time,
    step_minutes: int,
    duration: float,
    *,
    end_days: int = 0,
) -> Iterator[float]:
    """Starts every ``step_minutes`` of wall clock from ``start_t`` that end by ``end_t``
    (``end_days`` after ``day``: hours past midnight).

    Yields POSIX seconds. Skips wall times that do not exist (spring gap).
    """
    first_minute, end_minute = _minutes(start_t), _minutes(end_t) + end_days * 24 * 60
    end_instant = wall_to_utc_lenient(day + end_days * _ONE_DAY, end_t, zone)
    interval_end = end_instant.timestamp()
    first = wall_to_utc(day, time(first_minute // 60, first_minute % 60), zone)
    if (
        first is not None
        and first.astimezone(zone).utcoffset() == end_instant.astimezone(zone).utcoffset()
    ):
        # The same offset at both ends: no clock change inside the interval, so
        # real time runs with the wall clock and each start is the previous one
        # plus the step. (Comparing offsets, not lengths: an end inside a gap
        # maps to an instant that makes the lengths agree by accident.)
        start, step = first.timestamp(), step_minutes * 60
        while start + duration <= interval_end:
            yield start
            start += step
        return
    for minute in range(first_minute, end_minute, step_minutes):
        on, of_day = day + (minute // (24 * 60)) * _ONE_DAY, minute % (24 * 60)
        instant = wall_to_utc(on, time(of_day // 60, of_day % 60), zone)
        if instant is None:
            continue
        if instant.timestamp() + duration > interval_end:
            return
        yield instant.timestamp()


def time_off_span(
    zone: ZoneInfo,
    start_date: date,
    start_time: time | None,
    end_date: date,
    end_time: time | None,
) -> Span:
    """The UTC span of a wall-clock time-off entry (blank times mean whole days).

    Dates beyond the engine's range are clamped to it (whole days at the edge).
    """
    if start_date != clamp_day(start_date):
        start_date, start_time = clamp_day(start_date), None
    if end_date != clamp_day(end_date):
        end_date, end_time = clamp_day(end_date), None
    start = wall_to_utc_lenient(start_date, start_time or time(0), zone)
    if end_time is None:
        end = wall_to_utc_lenient(end_date + _ONE_DAY, time(0), zone)
    else:
        end = wall_to_utc_lenient(end_date, end_time, zone)
    return start, end


def yearly_occurrences(
    start_date: date, end_date: date, first_day: date, last_day: date
) -> list[tuple[date, date]]:
    """The dates of a yearly time-off entry that touch [first_day, last_day].

    The entry repeats on the same month and day each year (and the years
    before it: a holiday is a holiday). In a common year a 29 February edge
    is read as 28 February, so "29 February" closes 28 February and "29
    February to 1 March" closes 28 February and 1 March.
    """
    found = []
    for year in range(first_day.year - 1, last_day.year + 1):
        shift = year - start_date.year
        start = _in_year(start_date, start_date.year + shift)
        end = _in_year(end_date, end_date.year + shift)
        if start <= last_day and end >= first_day:
            found.append((start, end))
    return found


def _stretches_on(rules: Rules, day: date) -> list[tuple[time, int, time]]:
    """The day's working intervals as (start, days until the end, end).

    An end at or before the start runs past midnight: "22:00-02:00" ends the
    next day, "17:00-00:00" at midnight. Hours that reach midnight (an end of
    00:00, or 23:59) and meet hours from 00:00 the next day run on as one
    stretch, so a session may start before midnight and end after it.
    """
    following = [end for start, end in _intervals_on(rules, day + _ONE_DAY) if start == time(0)]
    stretches = []
    for start_t, end_t in _intervals_on(rules, day):
        end_days = 1 if end_t <= start_t else 0
        at_midnight = (end_days, end_t) in ((1, time(0)), (0, time(23, 59)))
        if at_midnight and following and following[0] > time(0):
            end_days, end_t = 1, following[0]
        stretches.append((start_t, end_days, end_t))
    return stretches


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def _intervals_on(rules: Rules, day: date) -> list[WallInterval]:
    return sorted([*rules.weekly.get(day.weekday(), ()), *rules.extra.get(day, ())])


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _seconds(spans: Iterable) -> list[tuple[float, float]]:
    """Spans as POSIX seconds; they may come as aware datetimes or already as seconds."""
    return [(s.timestamp(), e.timestamp()) if isinstance(s, datetime) else (s, e) for s, e in spans]


def _local_date(posix: float, zone: ZoneInfo) -> date:
    return datetime.fromtimestamp(posix, zone).date()


def _merge(spans: Iterable[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """Sorted, disjoint starts and ends covering the same time as ``spans``."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if ends and s <= ends[-1]:
            if e > ends[-1]:
                ends[-1] = e
        else:
            starts.append(s)
            ends.append(e)
    return starts, ends


def _overlaps(starts: list[float], ends: list[float], s: float, e: float) -> bool:
    """Whether [s, e) meets any merged span (half-open: touching ends do not overlap)."""
    i = bisect_right(ends, s)  # first span that ends after s
    return i < len(starts) and starts[i] < e


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("The slot engine works on aware datetimes only.")
