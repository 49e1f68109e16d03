"""A current-time line on today's grid: today's column of the week, across the desk's day."""

from datetime import UTC, datetime

from tests.support.staff import sign_in

# Thursday 5 March 2026, 10:20 in New York (EST): the grid runs from 08:00 in 15-minute rows
# below a header row, so 10:20 falls in the row of 10:15: 2 + (2 h 15 min) / 15 min = 11.
THURSDAY_10_20 = datetime(2026, 3, 5, 15, 20, tzinfo=UTC)
ROW = 2 + (2 * 60 + 15) // 15


def test_the_week_marks_now_on_todays_column_only(client, team, therapist, time_machine):
    time_machine.move_to(THURSDAY_10_20, tick=False)
    sign_in(client, team["therapist"])
    page = client.get("/staff/calendar/").content.decode()
    # Monday is column 2 (after the hours), so Thursday is column 5.
    assert f'<div class="cal-now r-{ROW} c-5" data-testid="now-line">' in page
    other_week = client.get("/staff/calendar/?date=2026-03-12").content.decode()
    assert 'data-testid="now-line"' not in other_week


def test_the_front_desks_day_draws_it_across_every_column(client, team, therapist, time_machine):
    time_machine.move_to(THURSDAY_10_20, tick=False)
    sign_in(client, team["receptionist"])
    page = client.get("/staff/desk/").content.decode()
    assert f'<div class="cal-now r-{ROW}" data-testid="now-line">' in page


def test_no_line_before_the_hours_drawn(client, team, therapist, now):
    # Monday 07:00 in New York: the grid starts at 08:00.
    sign_in(client, team["therapist"])
    assert 'data-testid="now-line"' not in client.get("/staff/calendar/").content.decode()
