"""Working hours that reach midnight ("17:00-24:00", written 17:00-00:00) or run past it
("22:00-02:00"), and two days' hours that meet at midnight read as one stretch.

Friday 4 June 2027 in Europe/London (BST, UTC+1); expected instants from zoneinfo.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from booking.scheduling.availability import parse_intervals
from booking.scheduling.slots import Request, Rules, conflict_at, free_slots

LONDON = ZoneInfo("Europe/London")
FRIDAY, SATURDAY, SUNDAY = 4, 5, 6


def request(minutes=50, step=60):
    return Request(
        duration=timedelta(minutes=minutes),
        step=timedelta(minutes=step),
        earliest=datetime(2000, 1, 1, tzinfo=UTC),
        latest=datetime(2100, 1, 1, tzinfo=UTC),
    )


def local_starts(rules, first: date, days: int, req=None):
    start = datetime.combine(first, time(0), tzinfo=LONDON)
    found = free_slots(rules, req or request(), start, start + timedelta(days=days))
    return [s.astimezone(LONDON).strftime("%a %H:%M") for s in found]


def test_hours_until_midnight_offer_the_evening_up_to_it():
    rules = Rules(zone=LONDON, weekly={FRIDAY: [(time(17), time(0))]})
    found = local_starts(rules, date(2027, 6, 4), 2)
    assert found == [f"Fri {h}:00" for h in range(17, 24)]


def test_hours_past_midnight_continue_into_the_next_day():
    rules = Rules(zone=LONDON, weekly={SATURDAY: [(time(22), time(2))]})
    found = local_starts(rules, date(2027, 6, 5), 2)
    assert found == ["Sat 22:00", "Sat 23:00", "Sun 00:00", "Sun 01:00"]


def test_two_days_meeting_at_midnight_are_one_stretch():
    both = Rules(
        zone=LONDON, weekly={SATURDAY: [(time(22), time(23, 59))], SUNDAY: [(time(0), time(2))]}
    )
    found = local_starts(both, date(2027, 6, 5), 2, request(50, 30))
    assert "Sat 23:30" in found
    alone = Rules(zone=LONDON, weekly={SATURDAY: [(time(22), time(23, 59))]})
    assert "Sat 23:30" not in local_starts(alone, date(2027, 6, 5), 2, request(50, 30))


def test_a_staff_time_past_midnight_fits_hours_that_cross_it():
    rules = Rules(zone=LONDON, weekly={SATURDAY: [(time(22), time(2))]})
    start = datetime(2027, 6, 6, 0, 30, tzinfo=LONDON).astimezone(UTC)
    assert conflict_at(rules, start, timedelta(minutes=50), timedelta(0), timedelta(0)) == ""


def test_typed_hours_may_reach_or_cross_midnight():
    assert parse_intervals("17:00-24:00") == [(time(17), time(0))]
    assert parse_intervals("22:00-02:00") == [(time(22), time(2))]
    with pytest.raises(ValidationError):
        parse_intervals("09:00-09:00")


def test_hours_past_midnight_are_stored_and_offered_through_the_selector(therapist, now):
    from booking.scheduling import availability
    from booking.scheduling.selectors import slot_list

    availability.weekly_hours_replace(
        therapist=therapist, weekly={SATURDAY: parse_intervals("22:00-02:00")}
    )
    availability.extra_hours_add(
        therapist=therapist, on=date(2026, 3, 4), start=time(20), end=time(0)
    )
    zone = therapist.zone
    start = datetime(2026, 3, 4, tzinfo=zone)
    found = slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=start,
        window_end=start + timedelta(days=5),
        now=now,
    )
    local = [s.astimezone(zone).strftime("%a %H:%M") for s in found]
    assert local == [
        "Wed 20:00", "Wed 21:00", "Wed 22:00", "Wed 23:00",
        "Sat 22:00", "Sat 23:00", "Sun 00:00", "Sun 01:00",
    ]  # fmt: skip
