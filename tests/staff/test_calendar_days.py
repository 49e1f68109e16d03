"""Whole days off, partial time off on the desk's week board, the month overview's counts,
and day views on the 23- and 25-hour days (America/New_York, 2027)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.models import AppointmentStatus, TimeOff
from booking.scheduling.services import appointment_book
from booking.staff import calendar
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.support.staff import make_staff, sign_in

NY = ZoneInfo("America/New_York")


def book_at(therapist, local: datetime, **kwargs):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=therapist.practice),
        start=local.astimezone(UTC),
        enforce_availability=False,
        **kwargs,
    )


def test_a_whole_day_off_fits_the_grid_and_reads_all_day(client, therapist, practice, now):
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 4),
        end_date=date(2026, 3, 4),
    )
    grid = calendar.therapist_week(
        therapist=therapist, first_day=date(2026, 3, 2), days=7, today=date(2026, 3, 2)
    )
    (off,) = [b for c in grid.columns for b in c.blocks if b.kind == "off"]
    assert off.row + off.span <= 2 + grid.rows  # inside the grid's rows
    sign_in(client, make_staff(practice, StaffRole.THERAPIST, therapist=therapist))
    page = client.get("/staff/calendar/?date=2026-03-04").content.decode()
    (hidden,) = re.findall(r'data-testid="time-off"><span class="visually-hidden">([^<]*)<', page)
    assert "all day" in hidden and "00:00" not in hidden


def test_the_desk_week_marks_partial_time_off_as_partial(client, therapist, practice, now):
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 4),
        end_date=date(2026, 3, 4),
        start_time=time(14),
        end_time=time(16),
    )
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 5),
        end_date=date(2026, 3, 5),
    )
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    page = client.get("/staff/desk/?date=2026-03-04&view=week").content.decode()
    assert page.count(">partly off<") == 1
    assert page.count(">off<") == 1


def test_the_month_overview_counts_every_session_including_neighbouring_days(
    therapist, practice, now, time_machine
):
    # March 2026's grid starts Monday 23 February and ends Sunday 5 April.
    time_machine.move_to(datetime(2026, 2, 20, 12, tzinfo=UTC), tick=False)
    book_at(therapist, datetime(2026, 2, 24, 10, tzinfo=NY))
    done = book_at(therapist, datetime(2026, 2, 25, 10, tzinfo=NY))
    done.status = AppointmentStatus.ATTENDED
    done.save()
    book_at(therapist, datetime(2026, 4, 2, 10, tzinfo=NY))
    weeks = calendar.month_overview(
        therapist=therapist, month_day=date(2026, 3, 10), today=date(2026, 2, 20)
    )
    counts = {cell["day"]: cell["count"] for week in weeks for cell in week}
    assert counts[date(2026, 2, 24)] == 1
    assert counts[date(2026, 2, 25)] == 1  # attended sessions count too
    assert counts[date(2026, 4, 2)] == 1


def test_a_session_in_the_repeated_hour_is_drawn_its_real_length(therapist, now, time_machine):
    time_machine.move_to(datetime(2027, 11, 1, tzinfo=UTC), tick=False)
    # 01:30 EDT for 50 minutes ends 01:20 EST: on the wall clock it "ends before it starts".
    start = datetime(2027, 11, 7, 1, 30, tzinfo=NY)
    book_at(therapist, start)
    grid = calendar.therapist_week(
        therapist=therapist, first_day=date(2027, 11, 7), days=1, today=date(2027, 11, 1)
    )
    (session,) = [b for c in grid.columns for b in c.blocks if b.kind == "session"]
    assert session.span * calendar.ROW_MINUTES >= 45  # 50 minutes, rounded to rows


def test_a_session_after_the_spring_jump_is_drawn_its_real_length(therapist, now, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, tzinfo=UTC), tick=False)
    # 01:30 EST for 50 minutes ends 03:20 EDT: 50 real minutes, not 110.
    start = datetime(2027, 3, 14, 1, 30, tzinfo=NY)
    assert (start + timedelta(minutes=50)).astimezone(UTC).astimezone(NY).hour == 3
    book_at(therapist, start)
    grid = calendar.therapist_week(
        therapist=therapist, first_day=date(2027, 3, 14), days=1, today=date(2027, 3, 1)
    )
    (session,) = [b for c in grid.columns for b in c.blocks if b.kind == "session"]
    assert session.span * calendar.ROW_MINUTES <= 60


def test_the_hour_the_spring_change_skips_has_no_row_label(therapist, now):
    grid = calendar.therapist_week(
        therapist=therapist, first_day=date(2027, 3, 14), days=1, today=date(2026, 3, 2)
    )
    grid.first_hour = 0  # the whole night, as a day with a night session shows it
    labels = [hour["label"] for hour in grid.hours]
    assert "02:00" not in labels and "01:00" in labels and "03:00" in labels
    ordinary = calendar.therapist_week(
        therapist=therapist, first_day=date(2027, 3, 21), days=1, today=date(2026, 3, 2)
    )
    ordinary.first_hour = 0
    assert "02:00" in [hour["label"] for hour in ordinary.hours]
