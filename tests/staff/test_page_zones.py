"""One zone per staff page, and it is said which: a Los Angeles therapist at a New York practice.

Expectations are computed here with zoneinfo, not with the project's helpers.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.staff import make_staff, sign_in

LA, NY = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")
# Thursday 5 March 2026, 10:00 in Los Angeles (13:00 in New York).
THURSDAY_10_LA = datetime(2026, 3, 5, 10, 0, tzinfo=LA)


@pytest.fixture
def la(practice, session_type, now):
    therapist = TherapistFactory(
        practice=practice,
        time_zone="America/Los_Angeles",
        offers=[session_type],
        display_name="Dr Lax",
    )
    user = make_staff(practice, StaffRole.THERAPIST, therapist=therapist)
    client = ClientFactory(practice=practice, first_name="Ada", last_name="Zonetest")
    appointment = appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=client,
        start=THURSDAY_10_LA.astimezone(UTC),
    )
    return {"therapist": therapist, "user": user, "appointment": appointment, "client": client}


def test_the_la_therapists_week_shows_the_session_at_its_la_time(client, la):
    sign_in(client, la["user"])
    page = client.get("/staff/calendar/?date=2026-03-05").content.decode()
    assert "10:00 Ada Zonetest" in page
    assert "13:00 Ada" not in page
    assert "America/Los_Angeles" in page


def test_the_session_page_the_move_list_and_the_move_form_share_the_therapists_zone(client, la):
    sign_in(client, la["user"])
    appointment = la["appointment"]
    page = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "Thursday 5 March 2026, 10:00" in page
    assert "America/Los_Angeles" in page
    assert 'value="10:00"' in page  # the move form, prefilled in the same zone
    # Every one-click button reads the wall time of the instant it sends, in Los Angeles.
    buttons = re.findall(
        r'name="pick" value="([^"]+)">[^<]*<br><span class="slot-time">([0-9:]+)', page
    )
    assert buttons
    for value, shown in buttons:
        expected = datetime.fromisoformat(value).astimezone(LA).strftime("%H:%M")
        assert shown == expected, (value, shown)


def test_the_session_page_gives_the_practice_time_beside_the_therapists(client, la, practice):
    desk = make_staff(practice, StaffRole.RECEPTIONIST)
    sign_in(client, desk)
    page = client.get(f"/staff/appointments/{la['appointment'].public_id}/").content.decode()
    practice_time = THURSDAY_10_LA.astimezone(NY).strftime("%H:%M")
    assert "10:00" in page and practice_time in page
    assert "America/New_York" in page


def test_the_front_desk_shows_practice_time_with_the_therapists_own_beside_it(client, la, practice):
    desk = make_staff(practice, StaffRole.RECEPTIONIST)
    sign_in(client, desk)
    page = client.get("/staff/desk/?date=2026-03-05").content.decode()
    practice_time = THURSDAY_10_LA.astimezone(NY).strftime("%H:%M")
    assert f"{practice_time} Ada Zonetest" in page
    assert "10:00 America/Los_Angeles" in page
    assert "America/New_York" in page


def test_the_series_page_rows_are_in_the_zone_of_its_heading(client, la):
    from booking.scheduling import series as series_services

    therapist = la["therapist"]
    args = {
        "therapist": therapist,
        "session_type": therapist.session_types.get(),
        "first_date": date(2026, 3, 10),
        "local_time": time(11, 0),
        "interval_weeks": 1,
        "count": 3,
        "until": None,
    }
    created = series_services.series_create(client=la["client"], decisions={}, **args)
    sign_in(client, la["user"])
    page = client.get(f"/staff/series/{created.public_id}/").content.decode()
    assert "at 11:00 (America/Los_Angeles)" in page
    times = re.findall(r'data-testid="local-time">([^<]+)<', page)
    assert times and all(t.startswith("11:00 P") for t in times), times


def test_today_and_the_client_record_for_the_la_therapist_read_la_time(client, la, time_machine):
    time_machine.move_to(datetime(2026, 3, 5, 14, 0, tzinfo=UTC), tick=False)  # 06:00 in LA
    sign_in(client, la["user"])
    today = client.get("/staff/").content.decode()
    assert ">10:00<" in today
    assert "America/Los_Angeles" in today
    record = client.get(f"/staff/clients/{la['client'].public_id}/").content.decode()
    assert "Thu 5 Mar 2026 10:00" in record
    assert "America/Los_Angeles" in record


def test_a_typed_move_is_echoed_in_both_zones_before_anything_is_saved(client, la):
    appointment = la["appointment"]
    sign_in(client, la["user"])
    url = f"/staff/appointments/{appointment.public_id}/"
    page = client.get(url, {"date": "2026-03-10", "time": "14:00"}).content.decode()
    instant = datetime(2026, 3, 10, 14, 0, tzinfo=LA)  # PDT: the US changed on 8 March
    assert "Tue 10 Mar 2026 14:00 PDT (America/Los_Angeles)" in page
    practice_side = instant.astimezone(NY).strftime("%a %-d %b %Y %H:%M %Z")
    assert f"{practice_side} (America/New_York)" in page
    appointment.refresh_from_db()
    assert appointment.start == THURSDAY_10_LA  # nothing moved yet
    assert 'name="date" value="2026-03-10"' in page  # the confirm form carries the same values


def test_a_typed_move_into_the_spring_gap_is_refused_readably(client, la):
    sign_in(client, la["user"])
    url = f"/staff/appointments/{la['appointment'].public_id}/"
    response = client.get(url, {"date": "2026-03-08", "time": "02:30"})
    assert response.status_code == 200
    assert "does not exist" in response.content.decode()


def test_a_typed_booking_on_behalf_is_echoed_in_both_zones_first(client, la, session_type):
    from booking.models import Appointment

    sign_in(client, la["user"])
    before = Appointment.objects.count()
    response = client.post(
        f"/staff/clients/{la['client'].public_id}/book/",
        {
            "session_type": session_type.pk,
            "therapist": la["therapist"].pk,
            "date": "2026-03-11",
            "time": "09:00",
            "step": "check",
        },
    )
    page = response.content.decode()
    instant = datetime(2026, 3, 11, 9, 0, tzinfo=LA)
    assert "Wed 11 Mar 2026 09:00 PDT (America/Los_Angeles)" in page
    assert instant.astimezone(NY).strftime("%H:%M %Z") in page
    assert Appointment.objects.count() == before


def test_a_series_preview_gives_each_start_in_both_zones(client, la, session_type):
    sign_in(client, la["user"])
    la["client"].assigned_therapist = la["therapist"]
    la["client"].save()
    page = client.post(
        f"/staff/clients/{la['client'].public_id}/series/new/",
        {
            "therapist": la["therapist"].pk,
            "session_type": session_type.pk,
            "first_date": "2026-03-03",  # before the US change on 8 March, and after it
            "time": "11:00",
            "interval_weeks": "1",
            "ends": "count",
            "count": "2",
            "step": "preview",
        },
    ).content.decode()
    rows = re.findall(r'data-testid="local-time">(.*?)</td>', page)
    assert len(rows) == 2
    for row, day in zip(rows, (3, 10), strict=True):
        instant = datetime(2026, 3, day, 11, 0, tzinfo=LA)
        assert row.startswith(instant.strftime("%H:%M %Z")), row
        assert f"{instant.astimezone(NY).strftime('%H:%M')} America/New_York" in row, row


def picks_on(page: str) -> list[datetime]:
    return [datetime.fromisoformat(v) for v in re.findall(r'name="pick" value="([^"]+)"', page)]


def test_a_picked_free_time_is_echoed_in_both_zones_before_anything_moves(client, la):
    appointment = la["appointment"]
    sign_in(client, la["user"])
    url = f"/staff/appointments/{appointment.public_id}/"
    page = client.get(url).content.decode()
    # The free times are a question (GET), not a move: no button posts a time straight away.
    (free_form,) = re.findall(r'<form method="(\w+)"[^>]*>\s*<fieldset><legend>Free times', page)
    assert free_form == "get"
    instant = datetime(2026, 3, 5, 11, 0, tzinfo=LA)  # PST on 5 March 2026
    (picked,) = [p for p in picks_on(page) if p == instant]
    check = client.get(url, {"pick": picked.isoformat()}).content.decode()
    assert "Thu 5 Mar 2026 11:00 PST (America/Los_Angeles)" in check
    practice_side = instant.astimezone(NY).strftime("%a %-d %b %Y %H:%M %Z")
    assert practice_side == "Thu 5 Mar 2026 14:00 EST"
    assert f"{practice_side} (America/New_York)" in check
    appointment.refresh_from_db()
    assert appointment.start == THURSDAY_10_LA  # nothing moved yet
    (confirm,) = re.findall(r'data-testid="move-check".*?</form>', check, re.S)
    (sent,) = re.findall(r'name="start" value="([^"]+)"', confirm)
    assert datetime.fromisoformat(sent) == instant
    client.post(f"{url}reschedule/", {"start": sent})
    appointment.refresh_from_db()
    assert appointment.start == instant


def test_the_free_times_never_offer_the_sessions_own_time(client, la):
    appointment = la["appointment"]
    sign_in(client, la["user"])
    url = f"/staff/appointments/{appointment.public_id}/"
    picks = picks_on(client.get(url).content.decode())
    own_hour = THURSDAY_10_LA.astimezone(UTC)
    assert own_hour + timedelta(hours=1) in picks  # the neighbouring hour is free and listed
    assert own_hour not in picks
    # Asked for anyway, it is refused readably and nothing is offered to confirm.
    page = client.get(url, {"pick": THURSDAY_10_LA.isoformat()}).content.decode()
    assert "That is the session&#x27;s time now" in page
    assert 'data-testid="move-check"' not in page


def test_a_picked_time_that_is_not_a_time_is_refused_readably(client, la):
    sign_in(client, la["user"])
    response = client.get(f"/staff/appointments/{la['appointment'].public_id}/", {"pick": "soon"})
    assert response.status_code == 200
    assert "Pick one of the free times listed." in response.content.decode()


def test_a_picked_free_time_fills_the_move_forms_date_and_time_and_is_marked(client, la):
    appointment = la["appointment"]
    sign_in(client, la["user"])
    url = f"/staff/appointments/{appointment.public_id}/"
    instant = datetime(2026, 3, 5, 11, 0, tzinfo=LA)  # the hour after the session, PST
    check = client.get(url, {"pick": instant.astimezone(UTC).isoformat()}).content.decode()
    assert re.search(
        r'id="move-date"[^>]*value="2026-03-05"|value="2026-03-05"[^>]*id="move-date"', check
    )
    assert re.search(r'id="move-time"[^>]*value="11:00"|value="11:00"[^>]*id="move-time"', check)
    (marked,) = re.findall(
        r'<button class="slot slot-held"[^>]*value="([^"]+)"[^>]*aria-pressed="true"', check
    )
    assert datetime.fromisoformat(marked) == instant
