"""Time off over booked sessions lists them and asks keep, move or cancel for each before
saving."""

from datetime import timedelta

from django.core import mail

from booking.models import AppointmentStatus, Notification, TimeOff
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

# Thursday 5 March 2026 in New York (the therapist's zone): 09:00-12:00 EST.
BLOCK = {
    "form": "off",
    "start_date": "2026-03-05",
    "start_time": "09:00",
    "end_time": "12:00",
    "reason": "Training",
}


def second_session(therapist, practice, hours_later=1):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice, first_name="Tomas", last_name="Secondtest"),
        start=THURSDAY_10 + timedelta(hours=hours_later),
    )


def test_time_off_over_sessions_saves_nothing_and_lists_each_one(
    client, team, booked, therapist, practice, now
):
    other = second_session(therapist, practice)
    outside = second_session(therapist, practice, hours_later=3)  # 13:00, after the block
    sign_in(client, team["therapist"])
    response = client.post("/staff/availability/", BLOCK | {"therapist": therapist.pk})
    assert response.status_code == 409
    page = response.content.decode()
    assert not TimeOff.objects.exists()
    assert "2 booked sessions fall inside this time off" in page
    for a in (booked, other):
        assert f'name="session_{a.public_id}" value="keep"' in page
        assert f'name="session_{a.public_id}" value="cancel"' in page
    assert f"session_{outside.public_id}" not in page
    assert "Thu 5 Mar 2026 10:00" in page and "Ines Calendartest" in page


def test_answering_for_only_some_sessions_asks_again(
    client, team, booked, therapist, practice, now
):
    other = second_session(therapist, practice)
    sign_in(client, team["therapist"])
    response = client.post(
        "/staff/availability/",
        BLOCK | {"therapist": therapist.pk, f"session_{booked.public_id}": "cancel"},
    )
    assert response.status_code == 409 and not TimeOff.objects.exists()
    # The answer given is kept on the page.
    assert 'value="cancel" checked' in response.content.decode()
    other.refresh_from_db()
    booked.refresh_from_db()
    assert booked.status == other.status == AppointmentStatus.CONFIRMED


def test_keep_and_cancel_are_applied_with_the_time_off(
    client, team, booked, therapist, practice, now, django_capture_on_commit_callbacks
):
    other = second_session(therapist, practice)
    sign_in(client, team["therapist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/availability/",
            BLOCK
            | {
                "therapist": therapist.pk,
                f"session_{booked.public_id}": "cancel",
                f"session_{other.public_id}": "keep",
            },
        )
    assert response.status_code == 302
    assert TimeOff.objects.get().reason == "Training"
    booked.refresh_from_db()
    other.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert booked.cancel_reason_by == team["therapist"]
    assert other.status == AppointmentStatus.CONFIRMED
    assert Notification.objects.filter(appointment=booked, kind="cancellation").count() == 1
    assert [m.to for m in mail.outbox] == [[booked.client.email]]


def test_a_practice_holiday_reads_each_therapists_day_in_their_zone(
    client, team, booked, therapist, practice, now
):
    # The colleague works in Tokyo: Friday 6 March 00:30 JST is Thursday 15:30 UTC,
    # inside a holiday on Friday 6 March, though still Thursday in New York.
    colleague = team["colleague_record"]
    colleague.time_zone = "Asia/Tokyo"
    colleague.save()
    tokyo = appointment_book(
        therapist=colleague,
        session_type=colleague.session_types.get(),
        client=ClientFactory(practice=practice),
        start=THURSDAY_10 + timedelta(minutes=30),
        enforce_availability=False,
    )
    sign_in(client, team["receptionist"])
    response = client.post(
        "/staff/availability/",
        {"form": "holiday", "start_date": "2026-03-06", "therapist": therapist.pk},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert f"session_{tokyo.public_id}" in page and f"session_{booked.public_id}" not in page


def test_the_staff_api_answers_409_with_the_sessions_then_saves_with_decisions(
    client, team, booked, therapist, now
):
    sign_in(client, team["owner"])
    body = {
        "therapist": therapist.pk,
        "start_date": "2026-03-05",
        "end_date": "2026-03-05",
        "start_time": "09:00",
        "end_time": "12:00",
    }
    refused = client.post(
        "/api/v1/staff/availability/time-off/", body, content_type="application/json"
    )
    assert refused.status_code == 409, refused.json()
    assert refused.json()["code"] == "sessions_inside_time_off"
    assert refused.json()["sessions"] == [str(booked.public_id)]
    assert not TimeOff.objects.exists()
    saved = client.post(
        "/api/v1/staff/availability/time-off/",
        body | {"sessions": {str(booked.public_id): "keep"}},
        content_type="application/json",
    )
    assert saved.status_code == 201, saved.json()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CONFIRMED and TimeOff.objects.count() == 1


def test_move_keeps_the_session_and_links_to_its_move_form_after_saving(
    client, team, booked, therapist, practice, now, django_capture_on_commit_callbacks
):
    other = second_session(therapist, practice)
    sign_in(client, team["therapist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/availability/",
            BLOCK
            | {
                "therapist": therapist.pk,
                f"session_{booked.public_id}": "move",
                f"session_{other.public_id}": "keep",
            },
        )
    assert response.status_code == 302 and TimeOff.objects.count() == 1
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CONFIRMED and booked.start == THURSDAY_10
    assert mail.outbox == []  # nothing is sent until it is moved
    page = client.get(response["Location"]).content.decode()
    panel = page.split('data-testid="to-move"')[1].split("</section>")[0]
    assert f'href="/staff/appointments/{booked.public_id}/#move-h"' in panel
    assert "Thu 5 Mar 2026 10:00" in panel and "Ines Calendartest" in panel
    assert str(other.public_id) not in panel  # kept, not to move


def test_the_list_to_move_shows_only_sessions_this_staff_member_may_see(
    client, team, booked, therapist, now
):
    sign_in(client, team["colleague"])
    page = client.get(f"/staff/availability/?move={booked.public_id}&move=not-an-id")
    assert page.status_code == 200
    assert 'data-testid="to-move"' not in page.content.decode()


def test_the_staff_api_takes_move_as_a_choice(client, team, booked, therapist, now):
    sign_in(client, team["therapist"])
    response = client.post(
        "/api/v1/staff/availability/time-off/",
        {
            "therapist": therapist.pk,
            "start_date": "2026-03-05",
            "end_date": "2026-03-05",
            "start_time": "09:00",
            "end_time": "12:00",
            "sessions": {str(booked.public_id): "move"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CONFIRMED
