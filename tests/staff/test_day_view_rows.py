"""Where the staff day views draw sessions on the 25-hour day and across midnight.

The repeated hour of 7 November 2027 in New York has rows of its own
("01:00 EDT", then "01:00 EST"), so 01:30 EDT and 01:30 EST never share rows.
A Los Angeles therapist whose evening runs past New York's midnight is drawn on
the front desk on the New York day and rows, with the Los Angeles time beside it.

Expected rows are computed here with zoneinfo: a row is 15 minutes, and the
rows of a day view after an hour label run in real time from that label's
instant (the repeated hour being two labels).
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.models import WorkingHours
from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.staff import make_staff, sign_in

NY, LA = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
ROW = timedelta(minutes=15)
FIRST = datetime(2027, 11, 7, 1, 30, tzinfo=NY)  # 01:30 EDT
SECOND = datetime(2027, 11, 7, 1, 30, fold=1, tzinfo=NY)  # 01:30 EST, an hour later


def book(therapist, local: datetime, first_name: str):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=therapist.practice, first_name=first_name, last_name="Row"),
        start=local.astimezone(UTC),
        enforce_availability=False,
    )


def hour_labels(page: str) -> dict[str, int]:
    """Each hour label on the grid and its first row."""
    return {
        label.strip(): int(row)
        for row, label in re.findall(r'class="cal-hour c-1 r-(\d+) s-4">([^<]*)<', page)
    }


def session_rows(page: str) -> dict[str, tuple[int, int, int]]:
    """Each drawn session by client first name: (column, first row, number of rows)."""
    found = {}
    for column, row, span, body in re.findall(
        r'class="blk blk-session c-(\d+) r-(\d+) s-(\d+)[^"]*"[^>]*>(.*?)</a>', page, re.S
    ):
        name = re.search(r"(\w+) Row", body).group(1)
        found[name] = (int(column), int(row), int(span))
    return found


def expected_row(labels: dict, label: str, label_instant: datetime, start: datetime) -> int:
    return labels[label] + (start.astimezone(UTC) - label_instant.astimezone(UTC)) // ROW


@pytest.fixture
def repeated_night(therapist, time_machine):
    time_machine.move_to(datetime(2027, 11, 1, 12, tzinfo=UTC), tick=False)
    assert SECOND.astimezone(UTC) - FIRST.astimezone(UTC) == timedelta(hours=1)
    assert (FIRST.tzname(), SECOND.tzname()) == ("EDT", "EST")
    book(therapist, FIRST, "First")
    book(therapist, SECOND, "Second")
    return therapist


def assert_drawn_apart(page: str):
    labels = hour_labels(page)
    # The repeated hour is two labelled rows, an hour of rows apart, then 02:00 EST.
    assert labels["01:00 EST"] - labels["01:00 EDT"] == 4
    assert labels["02:00"] - labels["01:00 EST"] == 4
    assert "01:00" not in labels
    drawn = session_rows(page)
    edt_hour = datetime(2027, 11, 7, 1, tzinfo=NY)
    est_hour = datetime(2027, 11, 7, 1, fold=1, tzinfo=NY)
    assert drawn["First"][1] == expected_row(labels, "01:00 EDT", edt_hour, FIRST)
    assert drawn["Second"][1] == expected_row(labels, "01:00 EST", est_hour, SECOND)
    # Also from the other label: the rows run in real time through the repeated hour.
    assert drawn["Second"][1] == expected_row(labels, "01:00 EDT", edt_hour, SECOND)
    length_rows = -(-timedelta(minutes=50) // ROW)
    for name in ("First", "Second"):
        assert drawn[name][2] == length_rows
    first_rows = set(range(drawn["First"][1], drawn["First"][1] + drawn["First"][2]))
    second_rows = set(range(drawn["Second"][1], drawn["Second"][1] + drawn["Second"][2]))
    assert first_rows.isdisjoint(second_rows)
    assert "01:30 EDT First Row" in re.sub(r"<[^>]+>", "", page)
    assert "01:30 EST Second Row" in re.sub(r"<[^>]+>", "", page)


def test_the_therapists_day_view_draws_both_0130s_on_their_own_rows(client, repeated_night):
    sign_in(
        client, make_staff(repeated_night.practice, StaffRole.THERAPIST, therapist=repeated_night)
    )
    page = client.get("/staff/calendar/?date=2027-11-07&view=day").content.decode()
    assert_drawn_apart(page)


def test_the_front_desk_day_draws_both_0130s_on_their_own_rows(client, repeated_night):
    sign_in(client, make_staff(repeated_night.practice, StaffRole.RECEPTIONIST))
    page = client.get("/staff/desk/?date=2027-11-07").content.decode()
    assert_drawn_apart(page)


def test_an_ordinary_day_has_one_row_per_hour(client, therapist, time_machine):
    time_machine.move_to(datetime(2027, 11, 1, 12, tzinfo=UTC), tick=False)
    book(therapist, datetime(2027, 11, 14, 1, 30, tzinfo=NY), "Plain")
    sign_in(client, make_staff(therapist.practice, StaffRole.RECEPTIONIST))
    page = client.get("/staff/desk/?date=2027-11-14").content.decode()
    labels = hour_labels(page)
    assert labels["02:00"] - labels["01:00"] == 4 and "01:00 EST" not in labels
    assert session_rows(page)["Plain"][1] == labels["01:00"] + 2


# A Los Angeles therapist working Tuesday 22:00-02:00 Los Angeles time, with a
# session at 23:30 on Tuesday 12 January 2027 (PST) = 02:30 EST on Wednesday.
TUESDAY_2330_LA = datetime(2027, 1, 12, 23, 30, tzinfo=LA)


@pytest.fixture
def night_owl(practice, session_type, time_machine):
    time_machine.move_to(datetime(2027, 1, 4, 12, tzinfo=UTC), tick=False)
    owl = TherapistFactory(
        practice=practice,
        time_zone="America/Los_Angeles",
        offers=[session_type],
        display_name="Night Owl",
        weekday_hours=False,
    )
    WorkingHours.objects.create(therapist=owl, weekday=1, start_time=time(22), end_time=time(2))
    book(owl, TUESDAY_2330_LA, "Owl")
    return owl


def test_the_front_desk_day_draws_a_session_past_ny_midnight_on_the_ny_day(client, night_owl):
    in_ny = TUESDAY_2330_LA.astimezone(NY)
    assert (in_ny.date(), in_ny.time()) == (date(2027, 1, 13), time(2, 30))
    sign_in(client, make_staff(night_owl.practice, StaffRole.RECEPTIONIST))
    page = client.get(f"/staff/desk/?date={in_ny.date()}&therapist={night_owl.pk}").content
    page = page.decode()
    labels = hour_labels(page)
    label_instant = datetime.combine(in_ny.date(), time(in_ny.hour), NY)
    (column, row, span) = session_rows(page)["Owl"]
    assert row == expected_row(labels, f"{in_ny.hour:02d}:00", label_instant, in_ny)
    assert span == -(-timedelta(minutes=50) // ROW)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "02:30 Owl Row (23:30 America/Los_Angeles)" in text
    # The hours are drawn there too: Tuesday 22:00-02:00 LA is Wednesday 01:00-05:00 NY.
    hours = re.findall(r'class="blk blk-hours c-(\d+) r-(\d+) s-(\d+)"', page)
    hours_start = datetime(2027, 1, 12, 22, tzinfo=LA).astimezone(NY)
    hours_end = datetime(2027, 1, 13, 2, tzinfo=LA).astimezone(NY)
    assert [(int(r), int(s)) for c, r, s in hours if int(c) == column] == [
        (
            expected_row(
                labels,
                f"{hours_start.hour:02d}:00",
                label_instant.replace(hour=hours_start.hour),
                hours_start,
            ),
            (hours_end - hours_start) // ROW,
        )
    ]
    # The NY Tuesday does not show it.
    tuesday = client.get(f"/staff/desk/?date=2027-01-12&therapist={night_owl.pk}").content.decode()
    assert "Owl Row" not in tuesday


def test_the_front_desk_week_lists_it_on_the_ny_day(client, night_owl):
    in_ny = TUESDAY_2330_LA.astimezone(NY)
    sign_in(client, make_staff(night_owl.practice, StaffRole.RECEPTIONIST))
    page = client.get(f"/staff/desk/?date=2027-01-12&view=week&therapist={night_owl.pk}")
    page = page.content.decode()
    row = page[page.index("Night Owl</a></th>") :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    monday = date(2027, 1, 11)
    index = (in_ny.date() - monday).days
    assert "Owl Row" in cells[index]
    assert all("Owl Row" not in cell for i, cell in enumerate(cells) if i != index)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cells[index]))
    assert "02:30 Owl Row (23:30 America/Los_Angeles)" in text


def test_the_therapists_own_day_view_draws_it_in_la_time(client, night_owl):
    sign_in(client, make_staff(night_owl.practice, StaffRole.THERAPIST, therapist=night_owl))
    page = client.get("/staff/calendar/?date=2027-01-12&view=day").content.decode()
    labels = hour_labels(page)
    (_, row, span) = session_rows(page)["Owl"]
    assert row == expected_row(
        labels, "23:00", datetime(2027, 1, 12, 23, tzinfo=LA), TUESDAY_2330_LA
    )
    # 23:30-00:20: the part before midnight on Tuesday, the rest on Wednesday.
    assert span == 2
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "23:30 Owl Row" in text and "America/Los_Angeles" in text
    wednesday = client.get("/staff/calendar/?date=2027-01-13&view=day").content.decode()
    w_labels = hour_labels(wednesday)
    (_, w_row, w_span) = session_rows(wednesday)["Owl"]
    assert w_row == w_labels["00:00"] and w_span == -(-timedelta(minutes=20) // ROW)
    # The hours after midnight are drawn on Wednesday from 00:00 to 02:00.
    hours = re.findall(r'class="blk blk-hours c-\d+ r-(\d+) s-(\d+)"', wednesday)
    assert (str(w_labels["00:00"]), "8") in hours


def test_the_desk_grid_covers_an_la_therapists_hours_in_new_york_time(
    client, practice, therapist, session_type, time_machine
):
    """LA 09:00-17:00 is New York 12:00-20:00: the grid runs to 20:00, past the usual 18:00."""
    time_machine.move_to(datetime(2027, 1, 4, 12, tzinfo=UTC), tick=False)
    sam = TherapistFactory(
        practice=practice,
        time_zone="America/Los_Angeles",
        offers=[session_type],
        display_name="Sam West",
    )  # Monday to Friday, 09:00-17:00 Los Angeles time
    day = date(2027, 1, 13)
    end_ny = datetime.combine(day, time(17), LA).astimezone(NY)
    assert end_ny.time() == time(20)
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    page = client.get(f"/staff/desk/?date={day}").content.decode()
    labels = hour_labels(page)
    assert max(labels, key=labels.get) == f"{end_ny.hour - 1:02d}:00"  # the last hour row
    (column,) = [
        int(c)
        for c, name in re.findall(r'class="cal-head c-(\d+) r-1[^"]*">\s*([^<]*?)\s*<', page)
        if name == sam.display_name
    ]
    hours = re.findall(rf'class="blk blk-hours c-{column} r-(\d+) s-(\d+)"', page)
    start_ny = datetime.combine(day, time(9), LA).astimezone(NY)
    label_instant = datetime.combine(day, time(start_ny.hour), NY)
    assert hours == [
        (
            str(expected_row(labels, f"{start_ny.hour:02d}:00", label_instant, start_ny)),
            str((end_ny - start_ny) // ROW),
        )
    ]
