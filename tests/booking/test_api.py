"""The public REST API under /api/v1/, through HTTP, as a booking page would use it."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from booking.models import Appointment, AppointmentStatus
from booking.tokens import manage_token_for
from clients.models import Client
from tests.factories import SessionTypeFactory, TherapistFactory

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 EST


@pytest.fixture
def api():
    return APIClient()


def booking_payload(therapist, start=TUESDAY_10, **overrides):
    payload = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": start.isoformat() if isinstance(start, datetime) else start,
        "timezone": "Europe/Berlin",
        "client": {
            "first_name": "Robin",
            "last_name": "Example",
            "email": "robin@example.com",
            "phone": "+49 30 901820",
        },
    }
    return payload | overrides


def book(api, therapist, **kwargs):
    return api.post("/api/v1/bookings/", booking_payload(therapist, **kwargs), format="json")


def token_of(response) -> str:
    return response.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]


# --- therapists and session types -------------------------------------------


def test_it_lists_active_therapists_with_the_session_types_they_offer(api, therapist, practice):
    TherapistFactory(practice=practice, is_active=False)
    response = api.get("/api/v1/therapists/")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": therapist.pk,
            "display_name": therapist.display_name,
            "bio": "",
            "time_zone": "America/New_York",
            "session_types": [therapist.session_types.get().pk],
        }
    ]


def test_it_lists_active_session_types(api, therapist, practice):
    SessionTypeFactory(practice=practice, is_active=False)
    body = api.get("/api/v1/session-types/").json()
    assert [(s["name"], s["duration_minutes"], s["therapists"]) for s in body] == [
        ("Individual session", 50, [therapist.pk])
    ]


# --- slots --------------------------------------------------------------------


def slots(api, who, **params):
    query = {
        "therapist": who.pk,
        "session_type": who.session_types.get().pk,
        "start": "2026-03-03",
        "end": "2026-03-03",
        "tz": "America/New_York",
    } | params
    return api.get("/api/v1/slots/", query)


def test_slots_come_in_the_asked_zone_with_their_offset(api, now, therapist):
    body = slots(api, therapist, tz="Europe/Berlin", start="2026-03-03", end="2026-03-03").json()
    assert body["timezone"] == "Europe/Berlin"
    assert body["therapist_timezone"] == "America/New_York"
    # Berlin's Tuesday (CET, UTC+1) holds New York's 09:00-13:00 EST sessions (15:00-19:00 CET);
    # New York's later hours fall on Berlin's Wednesday.
    assert [s["start"] for s in body["slots"]] == [
        "2026-03-03T15:00:00+01:00",
        "2026-03-03T16:00:00+01:00",
        "2026-03-03T17:00:00+01:00",
        "2026-03-03T18:00:00+01:00",
        "2026-03-03T19:00:00+01:00",
        "2026-03-03T20:00:00+01:00",
        "2026-03-03T21:00:00+01:00",
        "2026-03-03T22:00:00+01:00",
    ]
    assert body["slots"][0]["end"] == "2026-03-03T15:50:00+01:00"


def test_slots_only_reveal_times(api, now, therapist):
    book(api, therapist)
    body = slots(api, therapist).json()
    assert set(body) == {"timezone", "therapist_timezone", "licensed", "slots"}
    assert all(set(slot) == {"start", "end"} for slot in body["slots"])
    assert "2026-03-03T10:00:00-05:00" not in [s["start"] for s in body["slots"]]
    assert "robin" not in str(body).lower()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "tz", "not a time zone we know"),
        ({"start": "2026-03-05", "end": "2026-03-03"}, "end", "before the start"),
        ({"end": "2026-06-30"}, "end", "can be booked up to 2026-05-01"),
        ({"start": "03/03/2026"}, "start", "Date has wrong format"),
        ({"therapist": "abc"}, "therapist", "a number"),
        ({"therapist": "99999"}, "therapist", "No therapist with id 99999"),
    ],
)
def test_bad_slot_queries_get_a_400_that_says_why(api, now, therapist, params, field, message):
    response = slots(api, therapist, **params)
    assert response.status_code == 400
    body = response.json()
    assert message in " ".join(body["errors"][field])
    assert body["detail"]


def test_at_most_92_days_of_slots_come_in_one_request(api, now, therapist):
    session_type = therapist.session_types.get()
    session_type.booking_horizon = timedelta(days=365)
    session_type.save()
    response = slots(api, therapist, start="2026-03-03", end="2026-06-03")
    assert response.status_code == 400
    assert response.json()["errors"]["end"] == ["Ask for at most 92 days at a time."]
    assert slots(api, therapist, start="2026-03-03", end="2026-06-02").status_code == 200


def test_a_session_type_the_therapist_does_not_offer_is_a_400(api, now, therapist, practice):
    other = SessionTypeFactory(practice=practice)
    response = slots(api, therapist, session_type=other.pk)
    assert response.status_code == 400
    assert "does not offer" in response.json()["errors"]["session_type"][0]


def test_slots_cost_a_fixed_number_of_queries(api, now, therapist, django_assert_max_num_queries):
    for day in range(3):
        book(api, therapist, start=TUESDAY_10 + timedelta(days=day))
    query = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "start": "2026-03-03",
        "end": "2026-04-30",
    }
    # Cold: the question's row (booking/api/slot_replies.py), the therapist with the
    # session type and the versions (one query), then hours, time off and busy time.
    # Warm: the question's row only (its kept reply).
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/slots/", query)
    assert response.status_code == 200
    with django_assert_max_num_queries(1):
        again = api.get("/api/v1/slots/", query)
    assert again.json() == response.json()


# --- booking ------------------------------------------------------------------


def test_booking_answers_201_with_times_in_the_clients_zone(api, now, therapist):
    response = book(api, therapist)
    assert response.status_code == 201
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == str(appointment.public_id)
    assert body["status"] == "pending"  # until the emailed link is used
    assert body["start"] == "2026-03-03T16:00:00+01:00"  # 10:00 EST is 16:00 CET
    assert body["end"] == "2026-03-03T16:50:00+01:00"
    assert body["timezone"] == "Europe/Berlin"
    assert body["therapist"] == {"id": therapist.pk, "display_name": therapist.display_name}
    assert body["change_deadline"] == "2026-03-02T16:00:00+01:00"
    assert body["manage_url"].startswith("http://testserver/book/manage/")
    client = Client.objects.get()
    assert (client.email, client.phone, client.time_zone) == (
        "robin@example.com",
        "+4930901820",
        "Europe/Berlin",
    )


def test_the_manage_url_carries_no_personal_data(api, now, therapist):
    response = book(api, therapist)
    url = response.json()["manage_url"]
    assert "robin" not in url.lower() and "example" not in url.lower()
    assert len(token_of(response)) >= 64  # 32 hex digits of id, 43 of HMAC-SHA256


def test_a_naive_start_is_a_400(api, now, therapist):
    response = book(api, therapist, start="2026-03-03T10:00:00")
    assert response.status_code == 400
    assert "UTC offset" in response.json()["errors"]["start"][0]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("9999-12-31T23:30:00+00:00", "too far"),
        ("0001-01-01T00:00:00+14:00", "too far"),
        ("2026-02-30T10:00:00-05:00", "ISO-8601"),
        ("tomorrow at ten", "ISO-8601"),
    ],
)
def test_impossible_start_times_are_a_400_not_a_500(api, now, therapist, start, message):
    response = book(api, therapist, start=start)
    assert response.status_code == 400
    assert message in response.json()["errors"]["start"][0]
    token = token_of(book(api, therapist))
    moved = api.post(f"/api/v1/bookings/{token}/reschedule/", {"start": start}, format="json")
    assert moved.status_code == 400


def test_a_taken_slot_is_a_409_that_a_person_can_read(api, now, therapist):
    assert book(api, therapist).status_code == 201
    second = book(
        api,
        therapist,
        client={"first_name": "Sam", "last_name": "Other", "email": "sam@example.com"},
    )
    assert second.status_code == 409
    assert second.json() == {
        "detail": "Sorry, that time has just been taken or is no longer available. "
        "Please pick another.",
        "code": "slot_unavailable",
    }


def test_a_time_outside_availability_is_a_409(api, now, therapist):
    response = book(api, therapist, start="2026-03-03T03:00:00-05:00")
    assert response.status_code == 409
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("client", "field"),
    [
        ({"first_name": "", "last_name": "X", "email": "x@example.com"}, "first_name"),
        ({"first_name": "A", "last_name": "X", "email": "not-an-email"}, "email"),
        ({"first_name": "A", "last_name": "X", "email": "x@example.com", "phone": "12"}, "phone"),
    ],
)
def test_bad_client_details_are_a_400_naming_the_field(api, now, therapist, client, field):
    response = book(api, therapist, client=client)
    assert response.status_code == 400
    assert field in response.json()["errors"]["client"]
    assert not Client.objects.exists()


def test_malformed_json_is_a_400_not_a_500(api, now, therapist):
    response = api.post("/api/v1/bookings/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_booking_needs_no_login_and_no_csrf_token(now, therapist):
    api = APIClient(enforce_csrf_checks=True)
    assert book(api, therapist).status_code == 201


# --- manage link ----------------------------------------------------------------


def test_the_manage_token_reads_the_booking(api, now, therapist):
    token = token_of(book(api, therapist))
    response = api.get(f"/api/v1/bookings/{token}/")
    assert response.status_code == 200
    assert response.json()["start"] == "2026-03-03T16:00:00+01:00"


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x"]
)
def test_a_wrong_token_is_a_404(api, now, therapist, mangle):
    token = token_of(book(api, therapist))
    response = api.get(f"/api/v1/bookings/{mangle(token)}/")
    assert response.status_code == 404
    assert "not valid" in response.json()["detail"]


def test_a_token_signed_for_a_missing_booking_is_a_404(api, db):
    import uuid

    response = api.get(f"/api/v1/bookings/{manage_token_for(uuid.uuid4())}/")
    assert response.status_code == 404


def test_the_client_can_cancel_through_the_link(api, now, therapist):
    token = token_of(book(api, therapist))
    response = api.post(f"/api/v1/bookings/{token}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED
    again = api.post(f"/api/v1/bookings/{token}/cancel/")
    assert again.status_code == 409


def test_the_client_can_reschedule_to_a_free_time(api, now, therapist):
    token = token_of(book(api, therapist))
    response = api.post(
        f"/api/v1/bookings/{token}/reschedule/",
        {"start": "2026-03-04T14:00:00-05:00"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["start"] == "2026-03-04T20:00:00+01:00"
    appointment = Appointment.objects.get()
    assert appointment.start == datetime(2026, 3, 4, 19, 0, tzinfo=UTC)
    assert appointment.sequence == 1


def test_rescheduling_onto_a_taken_time_is_a_409(api, now, therapist):
    book(
        api,
        therapist,
        start=TUESDAY_10 + timedelta(hours=1),
        client={"first_name": "A", "last_name": "B", "email": "ab@example.com"},
    )
    token = token_of(book(api, therapist))
    response = api.post(
        f"/api/v1/bookings/{token}/reschedule/",
        {"start": (TUESDAY_10 + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert Appointment.objects.get(client__email="robin@example.com").start == TUESDAY_10


def test_inside_the_late_cancel_window_the_api_refuses_and_explains(
    api, now, therapist, time_machine
):
    token = token_of(book(api, therapist))
    time_machine.move_to(TUESDAY_10 - timedelta(hours=3), tick=False)
    for path, data in [("cancel", None), ("reschedule", {"start": "2026-03-05T10:00:00-05:00"})]:
        response = api.post(f"/api/v1/bookings/{token}/{path}/", data, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "policy"
        assert "within 24 hours" in response.json()["detail"]
    assert Appointment.objects.get().status == AppointmentStatus.PENDING


def test_the_manage_page_shows_the_session_in_the_clients_zone(api, now, therapist):
    url = book(api, therapist).json()["manage_url"]
    page = api.get(url)
    assert page.status_code == 200
    assert "Tuesday 3 March 2026, 16:00" in page.content.decode()
