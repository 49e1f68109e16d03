"""Staff booking on a client's behalf asks first: a time in the past (a record, no email to the
client), and a second session on one day or within a week of another (a warning, not a refusal)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail

from booking.models import Appointment, AppointmentEvent, AppointmentStatus, Notification
from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from tests.factories import ClientFactory
from tests.support.staff import sign_in

NEW_YORK = ZoneInfo("America/New_York")


def book_url(client_record):
    return f"/staff/clients/{client_record.public_id}/book/"


def manual(therapist, day: str, at: str, **extra):
    return {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "date": day,
        "time": at,
        **extra,
    }


# --- a session that took place ----------------------------------------------------------


def test_a_past_time_is_warned_about_then_recorded_without_any_message(
    client, team, therapist, practice, now, django_capture_on_commit_callbacks
):
    someone = ClientFactory(practice=practice)
    sign_in(client, team["receptionist"])
    # Friday 27 February 10:00 in New York: last week.
    form = manual(therapist, "2026-02-27", "10:00")
    asked = client.post(book_url(someone), form | {"step": "check"})
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="past-warning"' in page
    assert "Record this past session" in page and 'name="past_ok" value="1"' in page
    # Booking without having seen the warning only shows it.
    again = client.post(book_url(someone), form | {"step": "book"})
    assert again.status_code == 200 and 'data-testid="past-warning"' in again.content.decode()
    assert not Appointment.objects.filter(client=someone).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(book_url(someone), form | {"step": "book", "past_ok": "1"}, follow=True)
    assert "The client was sent nothing" in done.content.decode()
    recorded = Appointment.objects.get(client=someone)
    expected = datetime(2026, 2, 27, 10, 0, tzinfo=NEW_YORK).astimezone(UTC)
    assert recorded.start == expected and recorded.status == AppointmentStatus.CONFIRMED
    assert not Notification.objects.filter(appointment=recorded).exists()
    assert mail.outbox == []
    event = AppointmentEvent.objects.get(appointment=recorded)
    assert (event.kind, event.by, event.client_notified) == (
        "recorded",
        team["receptionist"],
        False,
    )


def test_a_past_session_needs_no_approval_or_intake_and_can_be_marked_at_once(
    client, team, therapist, practice, now
):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.requires_intake = True
    session_type.save()
    someone = ClientFactory(practice=practice)
    sign_in(client, team["receptionist"])
    form = manual(therapist, "2026-02-27", "10:00", step="book", past_ok="1")
    assert client.post(book_url(someone), form).status_code == 302
    recorded = Appointment.objects.get(client=someone)
    assert recorded.status == AppointmentStatus.CONFIRMED and not recorded.awaiting_intake
    response = client.post(
        f"/staff/appointments/{recorded.public_id}/outcome/", {"outcome": "attended"}
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.status == AppointmentStatus.ATTENDED


def test_the_staff_api_warns_about_a_past_time_then_records_it_without_any_message(
    client, team, therapist, practice, now, django_capture_on_commit_callbacks
):
    someone = ClientFactory(practice=practice)
    sign_in(client, team["owner"])
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(someone.public_id),
        "start": (now - timedelta(days=3)).isoformat(),
    }
    for extra in ({}, {"override_hours": True}):
        warned = client.post(
            "/api/v1/staff/appointments/", body | extra, content_type="application/json"
        )
        assert warned.status_code == 409, warned.json()
        answer = warned.json()
        assert answer["code"] == "in_the_past"
        assert "has passed" in answer["detail"] and "past_ok" in answer["detail"]
    assert not Appointment.objects.filter(client=someone).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(
            "/api/v1/staff/appointments/",
            body | {"past_ok": True},
            content_type="application/json",
        )
    assert made.status_code == 201, made.json()
    recorded = Appointment.objects.get(client=someone)
    assert recorded.status == AppointmentStatus.CONFIRMED
    assert not Notification.objects.filter(appointment=recorded).exists()
    assert mail.outbox == []
    assert AppointmentEvent.objects.get(appointment=recorded).kind == "recorded"


def test_past_ok_changes_nothing_for_a_time_still_to_come(client, team, therapist, practice, now):
    someone = ClientFactory(practice=practice)
    sign_in(client, team["owner"])
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(someone.public_id),
        "start": "2026-03-05T10:00:00-05:00",
        "past_ok": True,
    }
    made = client.post("/api/v1/staff/appointments/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    booked = Appointment.objects.get(client=someone)
    assert Notification.objects.filter(appointment=booked, kind="confirmation").exists()


# --- a second session close to another --------------------------------------------------


def test_a_second_session_the_same_day_is_warned_about_then_booked(
    client, team, booked, therapist, now
):
    sign_in(client, team["receptionist"])
    form = manual(therapist, "2026-03-05", "14:00")
    asked = client.post(book_url(booked.client), form | {"step": "check"}).content.decode()
    warning = re.search(r'data-testid="near-warning">(.*?)</div>', asked, re.S).group(1)
    assert "Thu 5 Mar 2026 10:00" in warning and "Book it anyway" in asked
    unconfirmed = client.post(book_url(booked.client), form | {"step": "book"})
    assert unconfirmed.status_code == 200
    assert Appointment.objects.filter(client=booked.client).count() == 1
    confirmed = client.post(book_url(booked.client), form | {"step": "book", "near_ok": "1"})
    assert confirmed.status_code == 302
    assert Appointment.objects.filter(client=booked.client).count() == 2


def test_a_one_click_free_time_within_a_week_of_another_asks_first(
    client, team, booked, therapist, now
):
    sign_in(client, team["receptionist"])
    url = book_url(booked.client)
    page = client.get(url, {"find_type": therapist.session_types.get().pk}).content.decode()
    value = re.findall(r'name="quick_start" value="([^"]+)"', page)[0]
    data = {"quick_start": value, "quick_type": therapist.session_types.get().pk}
    asked = client.post(url, data)
    assert asked.status_code == 200
    form = re.search(r'data-testid="quick-check">(.*?)</form>', asked.content.decode(), re.S)
    assert "Thu 5 Mar 2026 10:00" in form.group(1)
    assert f'name="quick_start" value="{value}"' in form.group(1)
    assert Appointment.objects.filter(client=booked.client).count() == 1
    assert client.post(url, data | {"near_ok": "1"}).status_code == 302
    assert Appointment.objects.filter(client=booked.client).count() == 2


def test_a_session_more_than_a_week_off_on_another_day_needs_no_warning(
    client, team, therapist, practice, now
):
    someone = ClientFactory(practice=practice)
    # Thursday 12 March 10:00 EDT: ten days after "now".
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=someone,
        start=datetime(2026, 3, 12, 10, tzinfo=NEW_YORK),
        enforce_availability=False,
    )
    sign_in(client, team["receptionist"])
    response = client.post(book_url(someone), manual(therapist, "2026-03-13", "10:00"))
    assert response.status_code == 302
    # The same day as that one, though more than a week away, still asks.
    same_day = client.post(book_url(someone), manual(therapist, "2026-03-12", "15:00"))
    assert same_day.status_code == 200
    assert 'data-testid="near-warning"' in same_day.content.decode()


def test_a_cancelled_session_does_not_count(client, team, booked, therapist, now):
    appointment_cancel(appointment=booked, actor=Actor.STAFF)
    sign_in(client, team["receptionist"])
    form = manual(therapist, "2026-03-05", "14:00")
    assert client.post(book_url(booked.client), form).status_code == 302


# --- the staff API warns like the page ----------------------------------------------------


def api_body(booked, therapist, start):
    return {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(booked.client.public_id),
        "start": start.isoformat(),
    }


def test_the_api_answers_409_with_the_nearby_sessions_until_near_ok(
    client, team, booked, therapist, now
):
    sign_in(client, team["receptionist"])
    # Thursday 5 March 14:00 in New York: the same day as the 10:00 session.
    body = api_body(booked, therapist, datetime(2026, 3, 5, 14, tzinfo=NEW_YORK))
    asked = client.post("/api/v1/staff/appointments/", body, content_type="application/json")
    assert asked.status_code == 409
    answer = asked.json()
    assert answer["code"] == "sessions_near" and "near_ok" in answer["detail"]
    assert [s["id"] for s in answer["sessions"]] == [str(booked.public_id)]
    assert datetime.fromisoformat(answer["sessions"][0]["start"]) == booked.start
    assert Appointment.objects.filter(client=booked.client).count() == 1
    made = client.post(
        "/api/v1/staff/appointments/", body | {"near_ok": True}, content_type="application/json"
    )
    assert made.status_code == 201, made.json()
    assert Appointment.objects.filter(client=booked.client).count() == 2


def test_the_api_books_without_asking_when_nothing_is_near(client, team, therapist, practice, now):
    someone = ClientFactory(practice=practice)
    sign_in(client, team["receptionist"])
    body = {
        "therapist": therapist.pk,
        "session_type": therapist.session_types.get().pk,
        "client": str(someone.public_id),
        "start": datetime(2026, 3, 5, 14, tzinfo=NEW_YORK).isoformat(),
    }
    made = client.post("/api/v1/staff/appointments/", body, content_type="application/json")
    assert made.status_code == 201, made.json()
