"""A start typed as a date and a wall-clock time: one reading (practice.parsing.wall_start)
for every staff form that types one."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from booking.models import Appointment
from booking.scheduling.services import appointment_book
from practice.parsing import SKIPPED_TIME, wall_start, wall_time_or_none
from tests.factories import ClientFactory
from tests.support.staff import sign_in

NEW_YORK = ZoneInfo("America/New_York")


def test_a_wall_time_is_read_in_the_zone_to_the_minute():
    # 10:00 on 10 March 2026 in New York is EDT (UTC-4): the US changed on 8 March.
    assert wall_start(date(2026, 3, 10), time(10, 0, 59), NEW_YORK) == datetime(
        2026, 3, 10, 14, 0, tzinfo=UTC
    )
    assert wall_start(date(2026, 3, 6), time(10), NEW_YORK) == datetime(
        2026, 3, 6, 15, 0, tzinfo=UTC
    )


def test_a_time_the_clocks_skip_is_none_and_the_repeated_hour_is_its_first():
    assert wall_start(date(2026, 3, 8), time(2, 30), NEW_YORK) is None
    # 01:30 on 1 November 2026 happens twice; the first is still EDT (UTC-4).
    assert wall_start(date(2026, 11, 1), time(1, 30), NEW_YORK) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["", "25:00", "9h", "10:00+01:00x", None])
def test_a_time_that_is_not_one_is_none(text):
    assert wall_time_or_none(text) is None


def test_hh_mm_is_a_time():
    assert wall_time_or_none("09:05") == time(9, 5)


@pytest.fixture
def booked(now, therapist, practice):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=datetime(2026, 3, 5, 15, tzinfo=UTC),
    )


def test_every_staff_form_refuses_the_skipped_time_with_the_same_words(
    client, team, booked, therapist
):
    sign_in(client, team["receptionist"])
    gap = {"date": "2026-03-08", "time": "02:30"}
    page = f"/staff/appointments/{booked.public_id}/"
    assert SKIPPED_TIME in client.get(page, gap).content.decode()
    moved = client.post(f"{page}reschedule/", gap | {"override_hours": "on"}, follow=True)
    assert SKIPPED_TIME in moved.content.decode()
    booking = client.post(
        f"/staff/clients/{booked.client.public_id}/book/",
        gap | {"session_type": booked.session_type_id, "therapist": therapist.pk},
    )
    assert booking.status_code == 400 and SKIPPED_TIME in booking.content.decode()
    booked.refresh_from_db()
    assert booked.start == datetime(2026, 3, 5, 15, tzinfo=UTC)
    assert Appointment.objects.count() == 1
