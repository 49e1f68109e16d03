"""When reminders are due: real hours before, moved earlier out of quiet hours. No database."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.notify.notifications import reminder_due_at

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def due(start, hours, zone, quiet=(time(21), time(8))):
    return reminder_due_at(
        start=start,
        before=timedelta(hours=hours),
        zone=zone,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )


def test_24_hours_before_is_24_real_hours_across_spring_forward():
    # Sunday 2026-03-08 10:00 EDT (14:00 UTC). 24 real hours earlier is Saturday
    # 14:00 UTC = 09:00 EST; "the same time yesterday" would be 10:00 EST (15:00 UTC).
    start = datetime(2026, 3, 8, 14, tzinfo=UTC)
    assert due(start, 24, NEW_YORK) == datetime(2026, 3, 7, 14, tzinfo=UTC)


def test_24_hours_before_is_24_real_hours_across_fall_back():
    # Sunday 2026-11-01 10:00 EST (15:00 UTC); Saturday 15:00 UTC is 11:00 EDT.
    start = datetime(2026, 11, 1, 15, tzinfo=UTC)
    assert due(start, 24, NEW_YORK) == datetime(2026, 10, 31, 15, tzinfo=UTC)


def test_an_early_morning_reminder_moves_to_the_evening_before():
    # Tuesday 2026-03-03 09:00 CET (08:00 UTC); 3 hours before is 06:00 CET, quiet.
    start = datetime(2026, 3, 3, 8, tzinfo=UTC)
    # Monday 21:00 CET = 20:00 UTC.
    assert due(start, 3, BERLIN) == datetime(2026, 3, 2, 20, tzinfo=UTC)


def test_a_late_evening_reminder_moves_to_the_start_of_quiet_hours():
    # Wednesday 2026-03-04 10:00 CET (09:00 UTC); 12 hours before is Tuesday 22:00 CET.
    start = datetime(2026, 3, 4, 9, tzinfo=UTC)
    assert due(start, 12, BERLIN) == datetime(2026, 3, 3, 20, tzinfo=UTC)  # 21:00 CET


def test_both_ends_of_quiet_hours_are_allowed():
    at_eight = datetime(2026, 3, 3, 10, tzinfo=UTC)  # 11:00 CET, 3 h before = 08:00 CET
    assert due(at_eight, 3, BERLIN) == datetime(2026, 3, 3, 7, tzinfo=UTC)
    at_nine_pm = datetime(2026, 3, 3, 23, tzinfo=UTC)  # 00:00 CET, 3 h before = 21:00 CET
    assert due(at_nine_pm, 3, BERLIN) == datetime(2026, 3, 3, 20, tzinfo=UTC)


def test_quiet_hours_are_read_in_the_clients_zone():
    # 14:00 UTC minus 3 h = 11:00 UTC: 06:00 in New York (quiet), 12:00 in Berlin (not).
    start = datetime(2026, 3, 3, 14, tzinfo=UTC)
    assert due(start, 3, BERLIN) == datetime(2026, 3, 3, 11, tzinfo=UTC)
    assert due(start, 3, NEW_YORK) == datetime(2026, 3, 3, 2, tzinfo=UTC)  # Mon 21:00 EST


def test_no_quiet_hours_when_start_equals_end():
    start = datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert due(start, 3, BERLIN, quiet=(time(0), time(0))) == datetime(2026, 3, 3, 5, tzinfo=UTC)
