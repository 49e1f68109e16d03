"""A boundary inside a spring gap means the instant the clock jumps past it.

Europe/London, Sunday 28 March 2027: 01:00 GMT jumps to 02:00 BST (01:00 UTC).
Australia/Lord_Howe, Sunday 3 October 2027: 02:00 jumps to 02:30 (15:30 UTC on the 2nd).
Expected instants are written from the published offsets, not the project's helpers.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.scheduling.slots import Request, Rules, free_slots, time_off_span

LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
JUMP_LONDON = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
JUMP_LORD_HOWE = datetime(2027, 10, 2, 15, 30, tzinfo=UTC)


def request(minutes, step):
    return Request(
        duration=timedelta(minutes=minutes),
        step=timedelta(minutes=step),
        earliest=datetime(2000, 1, 1, tzinfo=UTC),
        latest=datetime(2100, 1, 1, tzinfo=UTC),
    )


def test_the_jump_instants_are_what_the_zones_publish():
    before = JUMP_LONDON - timedelta(seconds=1)
    assert before.astimezone(LONDON).utcoffset() == timedelta(0)
    assert JUMP_LONDON.astimezone(LONDON).utcoffset() == timedelta(hours=1)
    before = JUMP_LORD_HOWE - timedelta(seconds=1)
    assert before.astimezone(LORD_HOWE).utcoffset() == timedelta(hours=10, minutes=30)
    assert JUMP_LORD_HOWE.astimezone(LORD_HOWE).utcoffset() == timedelta(hours=11)


def test_hours_ending_inside_the_gap_end_at_the_jump():
    # Sunday hours 00:00-01:30, hour-long sessions every 30 minutes: no session may
    # end after 01:00 GMT (= 02:00 BST), so 00:30 (ending 02:30 BST) is not offered.
    rules = Rules(zone=LONDON, weekly={6: [(time(0), time(1, 30))]})
    found = free_slots(
        rules, request(60, 30), datetime(2027, 3, 27, 23, tzinfo=UTC), JUMP_LONDON + timedelta(1)
    )
    assert found == [datetime(2027, 3, 28, 0, 0, tzinfo=UTC)]


def test_time_off_starting_inside_the_gap_starts_at_the_jump():
    start, end = time_off_span(LONDON, date(2027, 3, 28), time(1, 30), date(2027, 3, 28), None)
    assert start == JUMP_LONDON
    # Hours 00:00-04:00 with that time off: nothing bookable after the jump.
    rules = Rules(zone=LONDON, weekly={6: [(time(0), time(4))]}, time_off=[(start, end)])
    found = free_slots(
        rules, request(30, 30), datetime(2027, 3, 27, 23, tzinfo=UTC), JUMP_LONDON + timedelta(1)
    )
    assert found and all(s + timedelta(minutes=30) <= JUMP_LONDON for s in found)


def test_a_thirty_minute_gap_boundary_is_the_jump_too():
    # Lord Howe hours 00:00-02:15 on the spring day: 02:15 does not exist, so the
    # hours end at the jump and a 30-minute session may start at 01:30 at the latest.
    rules = Rules(zone=LORD_HOWE, weekly={6: [(time(0), time(2, 15))]})
    found = free_slots(
        rules,
        request(30, 15),
        datetime(2027, 10, 2, 12, tzinfo=UTC),
        datetime(2027, 10, 3, 12, tzinfo=UTC),
    )
    assert found[-1] == JUMP_LORD_HOWE - timedelta(minutes=30)  # 01:30 +1030
    assert len(found) == 7  # 00:00 .. 01:30


# --- a yearly holiday on 29 February -----------------------------------------------------


def test_a_yearly_29_february_closes_28_february_in_common_years():
    from booking.scheduling.slots import yearly_occurrences

    found = yearly_occurrences(
        date(2028, 2, 29), date(2028, 2, 29), date(2027, 1, 1), date(2029, 12, 31)
    )
    assert found == [
        (date(2027, 2, 28), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2028, 2, 29)),
        (date(2029, 2, 28), date(2029, 2, 28)),
    ]


def test_a_yearly_holiday_across_29_february_keeps_its_other_days_in_common_years():
    from booking.scheduling.slots import yearly_occurrences

    found = yearly_occurrences(
        date(2028, 2, 29), date(2028, 3, 1), date(2027, 1, 1), date(2027, 12, 31)
    )
    assert found == [(date(2027, 2, 28), date(2027, 3, 1))]
