"""The front desk (New York) reads a Los Angeles therapist's time off truly: a whole day
as "all day (Los Angeles)", a part with its real span and the day it ends."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import TimeOff
from practice.models import StaffRole
from tests.factories import TherapistFactory
from tests.support.staff import make_staff, sign_in

LA, NY = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")
WEDNESDAY = date(2026, 3, 4)


@pytest.fixture
def la(practice, session_type, now):
    return TherapistFactory(
        practice=practice, time_zone="America/Los_Angeles", offers=[session_type]
    )


def desk_time_off(client, practice, day: date) -> list[str]:
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    page = client.get(f"/staff/desk/?date={day:%Y-%m-%d}").content.decode()
    return re.findall(r'data-testid="time-off"><span class="visually-hidden">([^<]*)<', page)


def test_a_whole_day_off_in_los_angeles_reads_all_day_los_angeles_at_the_desk(client, practice, la):
    TimeOff.objects.create(
        practice=practice, therapist=la, start_date=WEDNESDAY, end_date=WEDNESDAY
    )
    # Independently: the LA day runs 03:00 Wed to 03:00 Thu in New York.
    starts = datetime.combine(WEDNESDAY, time(0), tzinfo=LA).astimezone(NY)
    assert starts.time() == time(3)
    (hidden,) = desk_time_off(client, practice, WEDNESDAY)
    assert "all day (Los Angeles)" in hidden
    assert "00:00" not in hidden and "03:00" not in hidden


def test_an_evening_off_in_los_angeles_gives_its_true_span_and_end_day(client, practice, la):
    TimeOff.objects.create(
        practice=practice,
        therapist=la,
        start_date=WEDNESDAY,
        end_date=WEDNESDAY,
        start_time=time(20),
        end_time=time(23),
    )
    start = datetime.combine(WEDNESDAY, time(20), tzinfo=LA).astimezone(NY)
    end = datetime.combine(WEDNESDAY, time(23), tzinfo=LA).astimezone(NY)
    assert end.date() == WEDNESDAY + timedelta(days=1)
    expected = f"{start:%H:%M} – {end:%H:%M} {end:%a}"  # "23:00 – 02:00 Thu"
    (hidden,) = desk_time_off(client, practice, WEDNESDAY)
    assert expected in hidden
