"""The slot engine on its own: no database. Expected instants are worked out by hand
from the zones' published offsets (noted beside each), not by the code under test."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.slots import Request, Rules, free_slots, time_off_span

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
ADELAIDE = ZoneInfo("Australia/Adelaide")

EARLY = datetime(2000, 1, 1, tzinfo=UTC)
LATE = datetime(2100, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekdays(start: time, end: time) -> dict:
    return {day: [(start, end)] for day in range(5)}


def request(minutes=50, step=60, **kwargs) -> Request:
    defaults = {"earliest": EARLY, "latest": LATE}
    return Request(
        duration=timedelta(minutes=minutes), step=timedelta(minutes=step), **(defaults | kwargs)
    )


def first_slot_on(rules: Rules, day: date, req: Request | None = None) -> datetime:
    window_start = datetime.combine(day, time(0), tzinfo=rules.zone)
    found = free_slots(rules, req or request(), window_start, window_start + timedelta(days=1))
    return found[0]


def test_it_offers_every_step_inside_working_hours():
    rules = Rules(zone=NEW_YORK, weekly={0: [(time(9), time(12))]})
    # Monday 2026-03-02, EST (UTC-5): 09:00, 10:00, 11:00 local; 11:00+50 min ends 11:50.
    found = free_slots(rules, request(), utc(2026, 3, 2), utc(2026, 3, 3))
    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 2, 15), utc(2026, 3, 2, 16)]


def test_a_session_must_end_by_the_end_of_working_hours():
    rules = Rules(zone=NEW_YORK, weekly={0: [(time(9), time(10, 40))]})
    # 09:00 ends 09:50; 09:30 ends 10:20; 10:00 would end 10:50, past 10:40.
    found = free_slots(rules, request(step=30), utc(2026, 3, 2), utc(2026, 3, 3))
    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 2, 14, 30)]


def test_several_intervals_a_day_are_all_used():
    rules = Rules(zone=NEW_YORK, weekly={0: [(time(13), time(14)), (time(9), time(10))]})
    found = free_slots(rules, request(), utc(2026, 3, 2), utc(2026, 3, 3))
    assert found == [utc(2026, 3, 2, 14), utc(2026, 3, 2, 18)]


@pytest.mark.parametrize(
    ("zone", "before", "before_utc", "after", "after_utc"),
    [
        # US spring forward, Sunday 2026-03-08: EST (UTC-5) -> EDT (UTC-4).
        (NEW_YORK, date(2026, 3, 6), utc(2026, 3, 6, 14), date(2026, 3, 9), utc(2026, 3, 9, 13)),
        # US fall back, Sunday 2026-11-01: EDT -> EST.
        (
            NEW_YORK,
            date(2026, 10, 30),
            utc(2026, 10, 30, 13),
            date(2026, 11, 2),
            utc(2026, 11, 2, 14),
        ),
        # EU spring forward, Sunday 2026-03-29: CET (UTC+1) -> CEST (UTC+2).
        (BERLIN, date(2026, 3, 27), utc(2026, 3, 27, 8), date(2026, 3, 30), utc(2026, 3, 30, 7)),
        # EU fall back, Sunday 2026-10-25: CEST -> CET.
        (
            BERLIN,
            date(2026, 10, 23),
            utc(2026, 10, 23, 7),
            date(2026, 10, 26),
            utc(2026, 10, 26, 8),
        ),
        # Adelaide (half-hour offsets) leaves summer time Sunday 2026-04-05: UTC+10:30 -> +9:30.
        (
            ADELAIDE,
            date(2026, 4, 3),
            utc(2026, 4, 2, 22, 30),
            date(2026, 4, 6),
            utc(2026, 4, 5, 23, 30),
        ),
        # Adelaide enters summer time Sunday 2026-10-04: UTC+9:30 -> +10:30.
        (
            ADELAIDE,
            date(2026, 10, 2),
            utc(2026, 10, 1, 23, 30),
            date(2026, 10, 5),
            utc(2026, 10, 4, 22, 30),
        ),
    ],
)
def test_nine_oclock_stays_nine_oclock_local_across_dst(zone, before, before_utc, after, after_utc):
    rules = Rules(zone=zone, weekly=weekdays(time(9), time(17)))
    assert first_slot_on(rules, before) == before_utc
    assert first_slot_on(rules, after) == after_utc
    assert first_slot_on(rules, after).astimezone(zone).time() == time(9)


def test_a_zone_with_a_half_hour_offset_and_no_dst():
    rules = Rules(zone=KOLKATA, weekly=weekdays(time(9), time(17)))
    # IST is UTC+5:30 all year.
    assert first_slot_on(rules, date(2026, 3, 9)) == utc(2026, 3, 9, 3, 30)
    assert first_slot_on(rules, date(2026, 11, 2)) == utc(2026, 11, 2, 3, 30)


def test_times_in_the_spring_forward_gap_are_never_offered():
    # Sunday 2026-03-08 in New York: 02:00-02:59 local does not exist.
    rules = Rules(zone=NEW_YORK, weekly={6: [(time(1), time(4))]})
    found = free_slots(rules, request(step=30), utc(2026, 3, 8), utc(2026, 3, 9))
    # 01:00 EST, 01:30 EST, then 03:00 EDT; 03:30 EDT would end 04:20, past 04:00.
    assert found == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7)]
    assert all(s.astimezone(NEW_YORK).hour != 2 for s in found)


def test_gap_times_are_skipped_not_shifted_onto_the_next_hour():
    # Every 45 minutes from 01:15: 02:00 and 02:45 fall in the gap. Shifting them by
    # an hour would offer 03:00 and 03:45 EDT, times that are not on the step.
    rules = Rules(zone=NEW_YORK, weekly={6: [(time(1, 15), time(4))]})
    found = free_slots(rules, request(minutes=15, step=45), utc(2026, 3, 8), utc(2026, 3, 9))
    assert found == [utc(2026, 3, 8, 6, 15), utc(2026, 3, 8, 7, 30)]  # 01:15 EST, 03:30 EDT


def test_an_interval_ending_inside_the_gap_offers_nothing_in_the_gap():
    # Adelaide, Sunday 2026-10-04: 02:00 ACST jumps to 03:00 ACDT. Hours 00:00-02:15;
    # the last real start is 01:45 ACST (16:15 UTC), ending 02:00 = 03:00 ACDT.
    rules = Rules(zone=ADELAIDE, weekly={6: [(time(0), time(2, 15))]})
    found = free_slots(
        rules, request(minutes=15, step=15), utc(2026, 10, 3, 12), utc(2026, 10, 4, 12)
    )
    assert found[0] == utc(2026, 10, 3, 14, 30)  # 00:00 ACST
    assert found[-1] == utc(2026, 10, 3, 16, 15)  # 01:45 ACST
    assert len(found) == 8


def test_an_ambiguous_autumn_time_resolves_to_its_first_occurrence():
    # Sunday 2026-11-01 in New York: 01:00-01:59 happens twice (EDT, then EST).
    rules = Rules(zone=NEW_YORK, weekly={6: [(time(0), time(3))]})
    found = free_slots(rules, request(minutes=30, step=30), utc(2026, 11, 1), utc(2026, 11, 2))
    assert found == [
        utc(2026, 11, 1, 4),  # 00:00 EDT
        utc(2026, 11, 1, 4, 30),  # 00:30 EDT
        utc(2026, 11, 1, 5),  # 01:00 EDT, the first 01:00 (fold=0)
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT
        utc(2026, 11, 1, 7),  # 02:00 EST
        utc(2026, 11, 1, 7, 30),  # 02:30 EST, ends 03:00 EST
    ]


def test_busy_time_with_buffers_blocks_neighbouring_starts():
    rules = Rules(
        zone=NEW_YORK,
        weekly={0: [(time(9), time(13))]},
        # An existing session holds 10:00-11:00 local (14:00-15:00 UTC).
        busy=[(utc(2026, 3, 2, 15), utc(2026, 3, 2, 16))],
    )
    req = request(minutes=50, step=30, buffer_before=timedelta(minutes=10))
    found = free_slots(rules, req, utc(2026, 3, 2), utc(2026, 3, 3))
    # 09:00 is clear; 09:30 (to 10:20) overlaps the busy hour; so would 10:00 and 10:30;
    # 11:00's 10-minute buffer starts 10:50, inside it; 11:30 and 12:00 are clear.
    assert found == [
        utc(2026, 3, 2, 14),
        utc(2026, 3, 2, 16, 30),
        utc(2026, 3, 2, 17),
    ]


def test_sessions_may_touch_busy_time_end_to_end():
    rules = Rules(
        zone=NEW_YORK,
        weekly={0: [(time(9), time(11))]},
        busy=[(utc(2026, 3, 2, 14), utc(2026, 3, 2, 15))],  # 09:00-10:00 local
    )
    found = free_slots(rules, request(), utc(2026, 3, 2), utc(2026, 3, 3))
    assert found == [utc(2026, 3, 2, 15)]


def test_time_off_removes_slots_it_overlaps():
    off = time_off_span(NEW_YORK, date(2026, 3, 3), None, date(2026, 3, 3), None)
    partial = time_off_span(NEW_YORK, date(2026, 3, 4), time(9), date(2026, 3, 4), time(11))
    rules = Rules(zone=NEW_YORK, weekly=weekdays(time(9), time(12)), time_off=[off, partial])
    found = free_slots(rules, request(), utc(2026, 3, 3), utc(2026, 3, 5))
    assert found == [utc(2026, 3, 4, 16)]  # Wednesday 11:00 EST; Tuesday is off


def test_time_off_for_whole_days_follows_the_local_calendar_across_dst():
    # Sunday 2026-03-08 in New York is 23 hours long: 05:00 UTC to 04:00 UTC next day.
    start, end = time_off_span(NEW_YORK, date(2026, 3, 8), None, date(2026, 3, 8), None)
    assert (start, end) == (utc(2026, 3, 8, 5), utc(2026, 3, 9, 4))


def test_extra_hours_add_slots_on_their_date_only():
    rules = Rules(
        zone=NEW_YORK,
        weekly={},
        extra={date(2026, 3, 7): [(time(10), time(11))]},  # a Saturday
    )
    found = free_slots(rules, request(), utc(2026, 3, 1), utc(2026, 3, 15))
    assert found == [utc(2026, 3, 7, 15)]


def test_notice_and_horizon_clip_the_offer():
    rules = Rules(zone=NEW_YORK, weekly=weekdays(time(9), time(17)))
    req = request(earliest=utc(2026, 3, 2, 16), latest=utc(2026, 3, 2, 19))
    found = free_slots(rules, req, utc(2026, 3, 1), utc(2026, 3, 10))
    # 11:00 to 14:00 EST inclusive (UTC 16:00 to 19:00).
    assert found == [utc(2026, 3, 2, h) for h in (16, 17, 18, 19)]


def test_the_window_is_half_open_and_may_start_mid_day():
    rules = Rules(zone=NEW_YORK, weekly=weekdays(time(9), time(17)))
    found = free_slots(rules, request(), utc(2026, 3, 2, 15), utc(2026, 3, 2, 17))
    assert found == [utc(2026, 3, 2, 15), utc(2026, 3, 2, 16)]


def test_the_window_reaches_local_days_on_either_side_of_utc_midnight():
    # Adelaide's Monday 09:00 is Sunday 22:30 UTC: a UTC window for Sunday must find it.
    rules = Rules(zone=ADELAIDE, weekly={0: [(time(9), time(10))]})
    found = free_slots(rules, request(), utc(2026, 3, 1), utc(2026, 3, 2))
    assert found == [utc(2026, 3, 1, 22, 30)]


def test_naive_datetimes_are_refused():
    rules = Rules(zone=NEW_YORK, weekly=weekdays(time(9), time(17)))
    with pytest.raises(ValueError, match="aware"):
        free_slots(rules, request(), datetime(2026, 3, 2), datetime(2026, 3, 3))  # noqa: DTZ001


# --- The engine's range: far-off dates are clamped, never overflow ----------------------

TOKYO = ZoneInfo("Asia/Tokyo")


def test_time_off_to_the_end_of_time_is_clamped_not_an_overflow():
    start, end = time_off_span(NEW_YORK, date(2026, 3, 10), None, date(9999, 12, 31), None)
    assert start == utc(2026, 3, 10, 4)  # midnight EDT (UTC-4 from 8 March)
    assert date(2200, 1, 1) <= end.date() < date(2201, 1, 1)


def test_time_off_from_year_1_east_of_utc_is_clamped_not_an_overflow():
    start, end = time_off_span(TOKYO, date(1, 1, 1), time(9), date(2026, 3, 10), None)
    assert start.year == 1899 and end == utc(2026, 3, 10, 15)  # JST is UTC+9


def test_time_off_to_the_end_of_time_still_blocks_the_days_it_covers():
    rules = Rules(
        zone=NEW_YORK,
        weekly=weekdays(time(9), time(17)),
        time_off=[time_off_span(NEW_YORK, date(2026, 3, 10), None, date(9999, 12, 31), None)],
    )
    window = (datetime(2026, 3, 9, tzinfo=NEW_YORK), datetime(2026, 3, 12, tzinfo=NEW_YORK))
    found = free_slots(rules, request(), *window)
    assert found and {f.astimezone(NEW_YORK).date() for f in found} == {date(2026, 3, 9)}


def test_a_window_at_the_edges_of_datetime_is_clamped():
    rules = Rules(zone=TOKYO, weekly=weekdays(time(9), time(17)))
    far = request(earliest=datetime(1, 1, 2, tzinfo=UTC), latest=datetime(9999, 12, 30, tzinfo=UTC))
    assert (
        free_slots(rules, far, datetime(1, 1, 2, tzinfo=UTC), datetime(1, 1, 9, tzinfo=UTC)) == []
    )
    late = free_slots(
        rules, far, datetime(9999, 12, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)
    )
    assert late == []
