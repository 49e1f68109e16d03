"""The staff schedule API: sessions, availability, series — role-scoped, token or session."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Appointment, AppointmentStatus, Series, TimeOff
from booking.scheduling.services import appointment_book
from practice.api_tokens import api_token_issue
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

API = "/api/v1/staff"


def test_the_list_is_scoped_to_the_role_and_filters(client, team, booked, therapist, practice):
    other = appointment_book(
        therapist=team["colleague_record"],
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=THURSDAY_10,
    )
    sign_in(client, team["therapist"])
    mine = client.get(f"{API}/appointments/").json()
    assert [a["id"] for a in mine["results"]] == [str(booked.public_id)]
    assert mine["results"][0]["client_name"] == "Ines Calendartest"
    sign_in(client, team["receptionist"])
    everyone = client.get(f"{API}/appointments/").json()
    assert {a["id"] for a in everyone["results"]} == {str(booked.public_id), str(other.public_id)}
    by_therapist = client.get(f"{API}/appointments/", {"therapist": therapist.pk}).json()
    assert [a["id"] for a in by_therapist["results"]] == [str(booked.public_id)]
    assert client.get(f"{API}/appointments/", {"start": "2026-03-06"}).json()["count"] == 0
    assert client.get(f"{API}/appointments/", {"status": "cancelled"}).json()["count"] == 0
    bad = client.get(f"{API}/appointments/", {"start": "yesterday"})
    assert bad.status_code == 400 and "start" in bad.json()["errors"]


def test_listing_costs_the_same_queries_for_one_or_forty_sessions(
    client, team, therapist, practice, now
):
    sign_in(client, team["receptionist"])
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=THURSDAY_10,
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}/appointments/").json()["count"] == 1
    for hour in range(1, 25):
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=practice),
            start=THURSDAY_10 + timedelta(days=1, hours=hour),
            enforce_availability=False,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/appointments/").json()["count"] == 25
    assert len(many) == len(one)


def test_create_reschedule_and_act_through_the_api(client, team, therapist, practice, now):
    patient = ClientFactory(practice=practice, assigned_therapist=therapist)
    sign_in(client, team["therapist"])
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(patient.public_id),
        "start": "2026-03-05T10:00:00-05:00",
    }
    created = client.post(f"{API}/appointments/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    public_id = created.json()["id"]
    # The same client again: first the nearby-session warning, then, confirmed, "taken".
    near = client.post(f"{API}/appointments/", body, content_type="application/json")
    assert near.status_code == 409 and near.json()["code"] == "sessions_near"
    clash = client.post(
        f"{API}/appointments/", body | {"near_ok": True}, content_type="application/json"
    )
    assert clash.status_code == 409 and "taken" in clash.json()["detail"]
    naive = client.post(
        f"{API}/appointments/",
        body | {"start": "2026-03-05T10:00:00"},
        content_type="application/json",
    )
    assert naive.status_code == 400 and "offset" in str(naive.json()["errors"]["start"])
    saturday = {"start": "2026-03-07T10:00:00-05:00"}
    refused = client.patch(
        f"{API}/appointments/{public_id}/", saturday, content_type="application/json"
    )
    assert refused.status_code == 409
    moved = client.patch(
        f"{API}/appointments/{public_id}/",
        saturday | {"override_hours": True},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["sequence"] == 1
    cancelled = client.post(
        f"{API}/appointments/{public_id}/cancel/", {"late": True}, content_type="application/json"
    )
    assert cancelled.json()["status"] == AppointmentStatus.LATE_CANCELLED
    again = client.post(
        f"{API}/appointments/{public_id}/cancel/", {}, content_type="application/json"
    )
    assert again.status_code == 409
    assert client.post(f"{API}/appointments/{public_id}/explode/").status_code == 404


def test_a_therapist_cannot_book_for_a_colleague_or_a_stranger(
    client, team, therapist, practice, now
):
    stranger = ClientFactory(practice=practice)
    sign_in(client, team["therapist"])
    body = {
        "therapist": team["colleague_record"].pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(stranger.public_id),
        "start": "2026-03-05T10:00:00-05:00",
    }
    response = client.post(f"{API}/appointments/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"therapist"}
    response = client.post(
        f"{API}/appointments/", body | {"therapist": therapist.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"client"}
    assert not Appointment.objects.exists()


def test_availability_read_replace_and_time_off(client, team, therapist, now):
    sign_in(client, team["therapist"])
    read = client.get(f"{API}/availability/", {"therapist": therapist.pk}).json()
    assert read["weekly"]["0"] == ["09:00-17:00"] and read["time_zone"] == "America/New_York"
    replaced = client.put(
        f"{API}/availability/",
        {
            "therapist": therapist.pk,
            "weekly": {"0": ["09:00-12:00", "13:00-17:00"], "5": ["10:00-12:00"]},
        },
        content_type="application/json",
    )
    assert replaced.status_code == 200
    assert replaced.json()["weekly"]["0"] == ["09:00-12:00", "13:00-17:00"]
    assert replaced.json()["weekly"]["1"] == []
    bad = client.put(
        f"{API}/availability/",
        {"therapist": therapist.pk, "weekly": {"0": ["9-5"], "9": ["09:00-10:00"]}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]["weekly"]) == {"0", "9"}
    off = client.post(
        f"{API}/availability/time-off/",
        {
            "therapist": therapist.pk,
            "start_date": "2026-03-09",
            "end_date": "2026-03-09",
            "start_time": "13:00",
            "end_time": "14:30",
        },
        content_type="application/json",
    )
    assert off.status_code == 201 and off.json()["start_time"] == "13:00"
    holiday = client.post(
        f"{API}/availability/time-off/",
        {"therapist": None, "start_date": "2026-03-10", "end_date": "2026-03-10"},
        content_type="application/json",
    )
    assert holiday.status_code == 400  # therapists do not set practice holidays
    assert client.delete(f"{API}/availability/time-off/{off.json()['id']}/").status_code == 204
    assert not TimeOff.objects.exists()


def test_series_plan_create_and_end(client, team, therapist, practice, now):
    patient = ClientFactory(practice=practice, assigned_therapist=therapist)
    sign_in(client, team["therapist"])
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(patient.public_id),
        "first_date": "2026-03-03",
        "local_time": "10:00",
        "interval_weeks": 1,
        "count": 3,
    }
    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 10),
    )
    plan = client.post(f"{API}/series/plan/", body, content_type="application/json").json()
    assert [(o["date"], o["conflict"]) for o in plan] == [
        ("2026-03-03", ""),
        ("2026-03-10", "time off"),
        ("2026-03-17", ""),
    ]
    assert plan[0]["start"].endswith("15:00:00Z") and plan[2]["start"].endswith("14:00:00Z")
    refused = client.post(f"{API}/series/", body, content_type="application/json")
    assert refused.status_code == 409 and "Skip or move" in refused.json()["detail"]
    created = client.post(
        f"{API}/series/",
        body | {"decisions": {"2026-03-10": "2026-03-11T10:00:00-04:00"}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    series = created.json()
    assert len(series["appointments"]) == 3 and series["local_time"] == "10:00"
    ended = client.post(
        f"{API}/series/{series['id']}/end/",
        {"from_date": "2026-03-10"},
        content_type="application/json",
    )
    assert [a["status"] for a in ended.json()["appointments"]] == [
        "confirmed",
        "cancelled",
        "cancelled",
    ]
    assert Series.objects.get().ended_on.isoformat() == "2026-03-10"


def test_an_integration_uses_a_token_and_gets_no_more_than_its_users_role(client, team, booked):
    _, token = api_token_issue(
        user=team["colleague"], name="Reports", days_valid=30, issued_by=team["owner"]
    )
    response = client.get(f"{API}/appointments/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and response.json()["count"] == 0
    assert (
        client.get(
            f"{API}/appointments/{booked.public_id}/", HTTP_AUTHORIZATION=f"Token {token}"
        ).status_code
        == 404
    )
    assert (
        client.get(f"{API}/appointments/", HTTP_AUTHORIZATION="Token not-a-token").status_code
        == 403
    )
    _, desk = api_token_issue(
        user=team["receptionist"], name="Desk", days_valid=30, issued_by=team["owner"]
    )
    seen = client.get(f"{API}/appointments/", HTTP_AUTHORIZATION=f"Token {desk}").json()
    assert seen["count"] == 1
