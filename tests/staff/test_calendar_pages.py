"""The therapist's calendar and the front desk's day: what is shown, in which zone, at what cost."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import TimeOff
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in


def book_full_week(therapist, practice, monday):
    """Every free hour of a working week: 8 sessions a day, 40 in all."""
    session_type = therapist.session_types.get()
    made = 0
    for day in range(5):
        for hour in range(9, 17):
            local = datetime.combine(
                monday + timedelta(days=day), time(hour), tzinfo=therapist.zone
            )
            appointment_book(
                therapist=therapist,
                session_type=session_type,
                client=ClientFactory(practice=practice),
                start=local.astimezone(UTC),
                enforce_availability=False,
            )
            made += 1
    return made


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_week_shows_sessions_time_off_hours_and_today(client, team, booked, therapist):
    TimeOff.objects.create(
        practice=therapist.practice,
        therapist=therapist,
        start_date=booked.start.date(),
        start_time=time(14),
        end_date=booked.start.date(),
        end_time=time(15),
        reason="Supervision",
    )
    sign_in(client, team["therapist"])
    page = client.get("/staff/calendar/").content.decode()
    assert "Your calendar" in page
    assert "10:00 Ines Calendartest" in page  # 15:00 UTC is 10:00 in New York
    assert "Supervision" in page
    assert 'aria-current="date"' in page and "Mon 2 Mar" in page  # today, marked
    assert page.count('data-testid="session"') == 1
    assert "blk-hours" in page


def test_a_full_week_costs_the_same_few_queries_as_an_empty_one(
    client, team, therapist, practice, now
):
    sign_in(client, team["therapist"])
    url = "/staff/calendar/?date=2026-03-09"
    empty, _ = queries_for(client, url)
    assert book_full_week(therapist, practice, date(2026, 3, 9)) == 40
    full, response = queries_for(client, url)
    assert response.content.decode().count('data-testid="session"') == 40
    assert full == empty
    assert full <= 12, f"{full} queries"


def test_a_session_keeps_its_place_on_the_grid_across_the_dst_change(
    client, team, therapist, practice, now
):
    """10:00 before and after the US spring change (8 March 2026) sits on the same row."""
    session_type = therapist.session_types.get()
    for day in (date(2026, 3, 6), date(2026, 3, 9)):
        local = datetime.combine(day, time(10), tzinfo=therapist.zone)
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice),
            start=local.astimezone(UTC),
            enforce_availability=False,
        )
    sign_in(client, team["therapist"])
    before = client.get("/staff/calendar/?date=2026-03-06&view=day").content.decode()
    after = client.get("/staff/calendar/?date=2026-03-09&view=day").content.decode()

    def row_of(page):
        start = page.index('data-testid="session"')
        tag = page[page.rindex("<a", 0, start) : start]
        return [c for c in tag.split() if c.startswith("r-")]

    assert row_of(before) == row_of(after) != []
    assert "10:00" in before and "10:00" in after


def test_the_month_overview_counts_sessions_per_day(client, team, booked):
    sign_in(client, team["therapist"])
    page = client.get("/staff/calendar/?date=2026-03-05").content.decode()
    assert 'title="1 session"' in page and "March 2026" in page


def test_a_therapist_sees_only_their_own_calendar_the_desk_sees_everyone(
    client, team, booked, therapist
):
    colleague = team["colleague_record"]
    sign_in(client, team["colleague"])
    assert client.get(f"/staff/calendar/?therapist={therapist.pk}").status_code == 404
    assert client.get(f"/staff/appointments/{booked.public_id}/").status_code == 404
    assert client.get("/staff/desk/").status_code == 403
    sign_in(client, team["receptionist"])
    page = client.get(f"/staff/calendar/?therapist={therapist.pk}").content.decode()
    assert "Ines Calendartest" in page
    assert client.get(f"/staff/calendar/?therapist={colleague.pk}").status_code == 200


def test_the_front_desk_shows_everyone_side_by_side_and_finds_the_next_free_time(
    client, team, booked, therapist
):
    sign_in(client, team["receptionist"])
    page = client.get("/staff/desk/?date=2026-03-05").content.decode()
    assert therapist.display_name in page and "Colleague" in page
    assert "10:00 Ines Calendartest" in page
    found = client.get(
        f"/staff/desk/?session_type={booked.session_type_id}&find=1"
    ).content.decode()
    assert 'data-testid="next-free"' in found
    # Minimum notice is 24 hours: the first free time is Tuesday 12:00 New York (or later).
    assert "Tue 3 Mar" in found


def test_the_front_desk_day_costs_a_fixed_number_of_queries(client, team, therapist, practice, now):
    sign_in(client, team["receptionist"])
    url = "/staff/desk/?date=2026-03-10"
    empty, _ = queries_for(client, url)
    book_full_week(therapist, practice, date(2026, 3, 9))
    full, response = queries_for(client, url)
    assert response.content.decode().count('data-testid="session"') == 8
    assert full == empty


@pytest.mark.parametrize("role", ["therapist", "receptionist"])
def test_today_lists_who_is_coming_with_intake_and_consent(
    client, team, therapist, practice, role, now, time_machine
):
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice, first_name="Toda", last_name="Ycomer"),
        start=THURSDAY_10,
    )
    time_machine.move_to(THURSDAY_10 - timedelta(hours=3), tick=False)
    sign_in(client, team[role])
    page = client.get("/staff/").content.decode()
    assert "Toda Ycomer" in page and "10:00" in page
    assert "Coming in today" in page


def test_the_front_desk_week_board_lists_each_therapists_days(
    client, team, booked, therapist, practice
):
    TimeOff.objects.create(
        practice=practice,
        therapist=team["colleague_record"],
        start_date=date(2026, 3, 4),
        end_date=date(2026, 3, 4),
    )
    sign_in(client, team["receptionist"])
    url = "/staff/desk/?date=2026-03-05&view=week"
    count, response = queries_for(client, url)
    page = response.content.decode()
    assert 'data-testid="week-board"' in page and "week of 2 March 2026" in page
    assert "10:00 Ines Calendartest" in page and 'class="off"' in page
    book_full_week(therapist, practice, date(2026, 3, 9))
    again, _ = queries_for(client, "/staff/desk/?date=2026-03-10&view=week")
    assert again == count
