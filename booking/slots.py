"""The slot engine: free start times for one therapist and one session type.

Pure: no ORM, no clock. ``booking.selectors`` reads the rules and busy times
from the database (a fixed number of queries) and calls ``free_slots``.

Algorithm
1. Clip the asked-for UTC window to [now + notice, now + horizon].
2. Walk the therapist's local calendar days that can touch the window (one day
   either side, since the window is in UTC and days are local).
3. For each working interval of that day (weekly hours plus that date's extra
   hours), step through wall-clock start times from the interval's start, every
   ``step`` minutes, while start + duration (in real elapsed time) still ends by
   the interval's end.
4. Turn each wall-clock start into a UTC instant in the therapist's zone. A time
   inside a spring-forward gap does not exist and is skipped; a time inside an
   autumn fold takes its first occurrence (``fold=0``).
5. Keep a start if the session does not overlap time off and its buffered span
   (start - buffer_before, end + buffer_after) does not overlap any busy span.
   Busy spans and time off are merged into sorted disjoint lists first, so each
   test is one binary search.
6. Return the sorted, de-duplicated UTC starts.

Cost: O(B log B) to merge B busy spans, then O(C log B) for C candidates.
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from practice.timezones import wall_to_utc, wall_to_utc_lenient

Span = tuple[datetime, datetime]
WallInterval = tuple[time, time]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    """A therapist's availability, as stored: wall-clock rules in one zone."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[WallInterval]]  # weekday (Monday = 0) -> intervals
    extra: Mapping[date, Sequence[WallInterval]] = field(default_factory=dict)
    time_off: Sequence[Span] = ()  # UTC instants, see ``time_off_span``
    busy: Sequence[Span] = ()  # buffered spans of existing sessions, UTC


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
    lo = max(window_start, req.earliest)
    hi = min(window_end, req.latest + timedelta(microseconds=1))  # latest itself is allowed
    if lo >= hi:
        return []
    busy_starts, busy_ends = _merge(rules.busy)
    off_starts, off_ends = _merge(rules.time_off)
    step_minutes = max(1, int(req.step.total_seconds() // 60))
    found: set[datetime] = set()
    day = lo.astimezone(rules.zone).date() - _ONE_DAY
    last_day = hi.astimezone(rules.zone).date() + _ONE_DAY
    while day <= last_day:
        for start_t, end_t in _intervals_on(rules, day):
            interval_end = wall_to_utc_lenient(day, end_t, rules.zone)
            for minute in range(_minutes(start_t), _minutes(end_t), step_minutes):
                start = wall_to_utc(day, time(minute // 60, minute % 60), rules.zone)
                if start is None or start < lo or start >= hi:
                    continue
                end = start + req.duration
                if end > interval_end:
                    break
                if _overlaps(off_starts, off_ends, start, end):
                    continue
                if _overlaps(
                    busy_starts, busy_ends, start - req.buffer_before, end + req.buffer_after
                ):
                    continue
                found.add(start)
        day += _ONE_DAY
    return sorted(found)


def time_off_span(
    zone: ZoneInfo,
    start_date: date,
    start_time: time | None,
    end_date: date,
    end_time: time | None,
) -> Span:
    """The UTC span of a wall-clock time-off entry (blank times mean whole days)."""
    start = wall_to_utc_lenient(start_date, start_time or time(0), zone)
    if end_time is None:
        end = wall_to_utc_lenient(end_date + _ONE_DAY, time(0), zone)
    else:
        end = wall_to_utc_lenient(end_date, end_time, zone)
    return start, end


def _intervals_on(rules: Rules, day: date) -> list[WallInterval]:
    return sorted([*rules.weekly.get(day.weekday(), ()), *rules.extra.get(day, ())])


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _merge(spans: Iterable[Span]) -> tuple[list[datetime], list[datetime]]:
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


def _overlaps(starts: list[datetime], ends: list[datetime], s: datetime, e: datetime) -> bool:
    """Whether [s, e) meets any merged span (half-open: touching ends do not overlap)."""
    i = bisect_right(ends, s)  # first span that ends after s
    return i < len(starts) and starts[i] < e


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("The slot engine works on aware datetimes only.")
