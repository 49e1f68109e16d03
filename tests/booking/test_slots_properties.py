"""Property tests for the slot engine against a brute-force oracle.

The engine walks local wall-clock days; the oracle walks every UTC minute of the
window and asks of each instant, independently, whether it is a valid start.
They must agree, for random zones (around their DST changes), hours and busy time.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from booking.scheduling.slots import Request, Rules, free_slots

ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Adelaide",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/St_Johns",  # UTC-3:30 / -2:30
]
# Days around DST transitions in 2026 (either hemisphere), and one quiet day.
DAYS = [
    date(2026, 3, 7),
    date(2026, 3, 28),
    date(2026, 4, 4),
    date(2026, 10, 3),
    date(2026, 10, 24),
    date(2026, 10, 31),
    date(2026, 6, 15),
]


@st.composite
def wall_interval(draw):
    start = draw(st.integers(0, 22 * 4)) * 15
    length = draw(st.integers(2, 12)) * 15
    end = min(start + length, 23 * 60 + 45)
    return time(start // 60, start % 60), time(end // 60, end % 60)


@st.composite
def scenario(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.sampled_from(DAYS))
    window_start = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(
        hours=draw(st.integers(-12, 12))
    )
    window_end = window_start + timedelta(hours=draw(st.integers(6, 48)))
    weekly = {d: draw(st.lists(wall_interval(), max_size=3)) for d in range(7)}
    busy = []
    for _ in range(draw(st.integers(0, 6))):
        s = window_start + timedelta(minutes=draw(st.integers(-120, 48 * 60)))
        busy.append((s, s + timedelta(minutes=draw(st.integers(15, 180)))))
    req = Request(
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 50, 80]))),
        step=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 50, 60]))),
        earliest=window_start + timedelta(minutes=draw(st.integers(0, 600))),
        latest=window_start + timedelta(hours=draw(st.integers(6, 60))),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 5, 10]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 10, 15]))),
    )
    return Rules(zone=zone, weekly=weekly, busy=busy), req, window_start, window_end


def oracle(rules: Rules, req: Request, window_start: datetime, window_end: datetime) -> list:
    step = int(req.step.total_seconds() // 60)
    found = []
    t = window_start
    while t < window_end:
        local = t.astimezone(rules.zone)
        if local.fold == 0 and req.earliest <= t <= req.latest:
            minute = local.hour * 60 + local.minute
            for start, end in rules.weekly.get(local.date().weekday(), ()):
                first = start.hour * 60 + start.minute
                end_instant = datetime.combine(local.date(), end, tzinfo=rules.zone)
                on_step = (
                    first <= minute < end.hour * 60 + end.minute and (minute - first) % step == 0
                )
                if not on_step or t + req.duration > end_instant:
                    continue
                blocked = (t - req.buffer_before, t + req.duration + req.buffer_after)
                if any(bs < blocked[1] and blocked[0] < be for bs, be in rules.busy):
                    continue
                found.append(t)
                break
        t += timedelta(minutes=1)
    return found


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_the_engine_agrees_with_a_brute_force_oracle(case):
    rules, req, window_start, window_end = case
    assert free_slots(rules, req, window_start, window_end) == oracle(
        rules, req, window_start, window_end
    )


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_no_offered_slot_is_in_a_gap_overlaps_busy_time_or_breaks_notice(case):
    rules, req, window_start, window_end = case
    for start in free_slots(rules, req, window_start, window_end):
        local = start.astimezone(rules.zone)
        assert local.replace(tzinfo=None) == (
            datetime.combine(local.date(), local.time(), tzinfo=rules.zone)
            .astimezone(UTC)
            .astimezone(rules.zone)
            .replace(tzinfo=None)
        )
        assert req.earliest <= start <= req.latest
        assert window_start <= start < window_end
        blocked = (start - req.buffer_before, start + req.duration + req.buffer_after)
        assert not any(bs < blocked[1] and blocked[0] < be for bs, be in rules.busy)
