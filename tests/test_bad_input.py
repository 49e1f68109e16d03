"""Bad input gets a readable 4xx, never a 500 — in production mode (DEBUG off, real error pages).

The test client re-raises a view's exception by default; these tests turn that off
so a 500 is seen as the 500 a visitor would get.
"""

from datetime import date

import pytest
from django.test import Client

from booking.models import TimeOff
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import make_staff, sign_in

API = "/api/v1/staff"
EXTREME_DAYS = ["2024-02-30", "9999-12-31", "0001-01-01"]


@pytest.fixture
def web(db):
    return Client(raise_request_exception=False)


@pytest.fixture
def owner(web, practice, therapist, now):
    sign_in(web, make_staff(practice, StaffRole.OWNER))
    return web


@pytest.fixture
def patient(practice):
    return ClientFactory(practice=practice)


@pytest.fixture
def endless_time_off(practice, therapist):
    """A row already in the database (from before the checks) that ends at the end of time."""
    return TimeOff.objects.create(
        practice=practice,
        therapist=None,
        start_date=date(2026, 3, 10),
        end_date=date(9999, 12, 31),
    )


def _is_4xx(response) -> bool:
    return 400 <= response.status_code < 500


# --- A time off row at the end of time does not take pages down --------------------


def test_time_off_to_9999_does_not_take_the_public_pages_down(
    web, endless_time_off, session_type, now
):
    times = web.get("/book/times/", {"session_type": session_type.pk})
    assert times.status_code == 200


def test_time_off_to_9999_does_not_take_the_slots_api_down(
    web, endless_time_off, session_type, therapist, now
):
    response = web.get(
        "/api/v1/slots/",
        {
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": "2026-03-09",
            "end": "2026-03-12",
        },
    )
    assert response.status_code == 200
    # Free on the 9th, then the time off starts on the 10th.
    days = {slot["start"][:10] for slot in response.json()["slots"]}
    assert days and max(days) < "2026-03-10"


def test_time_off_to_9999_does_not_take_the_staff_calendars_down(owner, endless_time_off):
    assert owner.get("/staff/desk/", {"date": "2026-03-11"}).status_code == 200
    assert owner.get("/staff/desk/", {"date": "2026-03-11", "view": "week"}).status_code == 200
    assert owner.get("/staff/calendar/", {"date": "2026-03-11"}).status_code == 200


def test_time_off_from_year_1_does_not_take_the_calendar_down(owner, practice, therapist):
    # East of UTC, midnight on 0001-01-01 is before the first instant datetime can hold.
    for zoned in (practice, therapist):
        zoned.time_zone = "Asia/Tokyo"
        zoned.save()
    TimeOff.objects.create(
        practice=practice, therapist=None, start_date=date(1, 1, 1), end_date=date(2026, 3, 10)
    )
    assert owner.get("/staff/desk/", {"date": "2026-03-10"}).status_code == 200
    assert owner.get("/staff/calendar/", {"date": "2026-03-10"}).status_code == 200


# --- Dates typed into URLs ---------------------------------------------------------


def test_a_far_off_start_on_the_times_page_is_a_clear_400(web, session_type, now):
    response = web.get("/book/times/", {"session_type": session_type.pk, "start": "9999-12-25"})
    assert response.status_code == 400
    assert "date" in response.content.decode()


def test_year_1_in_the_slots_api_is_a_400_in_the_error_shape(web, session_type, therapist, now):
    response = web.get(
        "/api/v1/slots/",
        {
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": "0001-01-01",
            "end": "0001-01-02",
        },
    )
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


@pytest.mark.parametrize("day", EXTREME_DAYS)
@pytest.mark.parametrize("page", ["/staff/calendar/", "/staff/desk/"])
def test_a_bad_or_far_off_date_on_the_staff_calendars_is_a_400(owner, page, day):
    response = owner.get(page, {"date": day})
    assert response.status_code == 400
    assert "date" in response.content.decode()


def test_a_day_that_does_not_exist_in_the_audit_filter_is_a_400(owner):
    response = owner.get("/staff/audit/", {"since": "2024-02-30"})
    assert response.status_code == 400


@pytest.mark.parametrize("day", EXTREME_DAYS)
def test_the_staff_api_list_refuses_far_off_dates(owner, day):
    response = owner.get(f"{API}/appointments/", {"start": day})
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


# --- Dates typed into forms and the staff API ---------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_time_off_out_of_range_is_refused_by_the_staff_page(owner, therapist, day):
    response = owner.post(
        f"/staff/availability/?therapist={therapist.pk}",
        {"form": "off", "start_date": "2026-03-10", "end_date": day},
    )
    assert response.status_code == 400
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_time_off_out_of_range_is_refused_by_the_staff_api(owner, therapist, day):
    response = owner.post(
        f"{API}/availability/time-off/",
        {"therapist": therapist.pk, "start_date": "2026-03-10", "end_date": day},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "end_date" in response.json()["errors"]


def test_time_off_out_of_range_is_refused_by_the_admin(practice, now):
    admin = Client(raise_request_exception=False)
    sign_in(admin, make_staff(practice, StaffRole.OWNER, is_superuser=True))
    response = admin.post(
        "/admin/booking/timeoff/add/",
        {"practice": practice.pk, "start_date": "2026-03-10", "end_date": "9999-12-31"},
    )
    assert response.status_code == 200  # the form again, with its error
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_extra_hours_out_of_range_are_refused(owner, therapist, day):
    response = owner.post(
        f"{API}/availability/extra-hours/",
        {"therapist": therapist.pk, "date": day, "start_time": "09:00", "end_time": "10:00"},
        content_type="application/json",
    )
    assert response.status_code == 400


@pytest.fixture
def booked(therapist, patient, now):
    from booking.scheduling.services import appointment_book

    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=patient,
        start=THURSDAY_10,
    )


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_rescheduling_to_a_far_off_year_is_refused_on_the_staff_page(owner, booked, year):
    url = f"/staff/appointments/{booked.public_id}/reschedule/"
    by_form = owner.post(url, {"date": f"{year}-12-31", "time": "23:00", "override_hours": "on"})
    by_pick = owner.post(url, {"start": f"{year}-12-31T23:30:00-05:00"})
    assert by_form.status_code == 302 and by_pick.status_code == 302
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_quick_booking_at_a_far_off_year_is_refused(owner, patient, therapist, year):
    session_type = therapist.session_types.get()
    response = owner.post(
        f"/staff/clients/{patient.public_id}/book/",
        {
            "quick_start": f"{therapist.pk}|{year}-12-31T23:30:00-05:00",
            "quick_type": session_type.pk,
        },
    )
    assert _is_4xx(response) or response.status_code == 302
    assert not patient.appointments.exists()


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_booking_on_behalf_at_a_far_off_year_is_refused(owner, patient, therapist, year):
    session_type = therapist.session_types.get()
    response = owner.post(
        f"/staff/clients/{patient.public_id}/book/",
        {
            "session_type": session_type.pk,
            "therapist": therapist.pk,
            "date": f"{year}-12-31",
            "time": "23:00",
            "override_hours": "on",
        },
    )
    assert _is_4xx(response) or response.status_code == 200
    assert not patient.appointments.exists()


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_a_series_at_a_far_off_year_is_refused_on_the_staff_page(owner, patient, therapist, year):
    response = owner.post(
        f"/staff/clients/{patient.public_id}/series/new/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "first_date": f"{year}-12-20",
            "time": "10:00",
            "interval_weeks": 1,
            "ends": "count",
            "count": 3,
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("year", ["9999", "0001"])
@pytest.mark.parametrize("path", ["series/plan/", "series/"])
def test_a_series_at_a_far_off_year_is_refused_by_the_staff_api(
    owner, patient, therapist, year, path
):
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(patient.public_id),
        "first_date": f"{year}-12-20",
        "local_time": "10:00",
        "interval_weeks": 1,
        "count": 3,
    }
    response = owner.post(f"{API}/{path}", body, content_type="application/json")
    assert response.status_code == 400
    assert "first_date" in response.json()["errors"]


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_the_staff_api_refuses_sessions_at_far_off_years(owner, booked, patient, therapist, year):
    start = f"{year}-12-31T23:30:00-05:00"
    moved = owner.patch(
        f"{API}/appointments/{booked.public_id}/",
        {"start": start, "override_hours": True},
        content_type="application/json",
    )
    made = owner.post(
        f"{API}/appointments/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "client": str(patient.public_id),
            "start": start,
            "override_hours": True,
        },
        content_type="application/json",
    )
    assert moved.status_code == 400 and made.status_code == 400


@pytest.mark.parametrize("year", ["9999", "0001"])
def test_the_public_api_refuses_bookings_at_far_off_years(web, therapist, year, now):
    response = web.post(
        "/api/v1/bookings/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": f"{year}-12-31T23:30:00-05:00",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "time_zone": "Europe/London",
        },
        content_type="application/json",
    )
    assert response.status_code == 400


# --- 500s inside the API are JSON ----------------------------------------------------------


def test_a_server_error_inside_the_api_answers_json_in_the_error_shape(
    web, monkeypatch, practice, now
):
    from booking.api import apis

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(apis, "therapist_list_bookable", broken)
    response = web.get("/api/v1/therapists/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error" and body["detail"]
    assert "boom" not in response.content.decode()


def test_a_server_error_on_a_page_stays_an_html_page(owner, monkeypatch):
    from booking.staff import views as staff_views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(staff_views.calendar, "front_desk_day", broken)
    response = owner.get("/staff/desk/")
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
