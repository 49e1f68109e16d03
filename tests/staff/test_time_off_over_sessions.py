"""Time off over booked sessions lists them and asks keep, move or cancel for each before
saving."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.models import AppointmentEvent, AppointmentStatus, Notification, TimeOff
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


# --- "move" books the new time in the same step ---------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")
# Thursday 5 March 2026 13:00 EST: after the block (09:00-12:00), inside the hours (09-17).
THURSDAY_13 = datetime(2026, 3, 5, 13, 0, tzinfo=NEW_YORK)


def move_options(page: str, appointment) -> list[str]:
    select = re.search(rf'<select name="move_{appointment.public_id}".*?</select>', page, re.S)
    assert select, "no free times offered for the session"
    return re.findall(r'<option value="([^"]+)"', select.group(0))


def test_move_offers_free_times_outside_the_new_time_off(client, team, booked, therapist, now):
    sign_in(client, team["therapist"])
    page = client.post("/staff/availability/", BLOCK | {"therapist": therapist.pk})
    assert page.status_code == 409
    offered = [datetime.fromisoformat(v) for v in move_options(page.content.decode(), booked)]
    assert offered, "some free times"
    assert THURSDAY_13 in offered
    block_start = datetime(2026, 3, 5, 9, 0, tzinfo=NEW_YORK)
    block_end = datetime(2026, 3, 5, 12, 0, tzinfo=NEW_YORK)
    assert not [t for t in offered if block_start <= t < block_end]
    assert booked.start not in offered


def test_move_with_a_chosen_time_books_it_with_the_time_off(
    client, team, booked, therapist, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/availability/",
            BLOCK
            | {
                "therapist": therapist.pk,
                f"session_{booked.public_id}": "move",
                f"move_{booked.public_id}": THURSDAY_13.isoformat(),
                "move_notify_asked": "1",
                "move_notify": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TimeOff.objects.count() == 1
    booked.refresh_from_db()
    assert booked.start == THURSDAY_13.astimezone(UTC)
    assert Notification.objects.filter(
        appointment=booked, kind="update", appointment_sequence=booked.sequence
    ).exists()
    moved = AppointmentEvent.objects.get(appointment=booked, kind="moved")
    assert (moved.by, moved.client_notified, moved.previous_start) == (
        team["therapist"],
        True,
        THURSDAY_10,
    )
    # Moved already: not on the "to move" list.
    assert f"move={booked.public_id}" not in response["Location"]


def test_move_with_notify_unticked_tells_the_client_nothing(
    client, team, booked, therapist, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    response = client.post(
        "/staff/availability/",
        BLOCK
        | {
            "therapist": therapist.pk,
            f"session_{booked.public_id}": "move",
            f"move_{booked.public_id}": THURSDAY_13.isoformat(),
            "move_notify_asked": "1",
        },
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.start == THURSDAY_13.astimezone(UTC)
    assert not Notification.objects.filter(appointment=booked, kind="update").exists()


@pytest.mark.parametrize("taken", [True, False])
def test_a_chosen_time_no_longer_free_saves_nothing_and_says_which(
    client, team, booked, therapist, practice, now, taken
):
    chosen = THURSDAY_13 if taken else datetime(2026, 3, 5, 11, 0, tzinfo=NEW_YORK)
    if taken:
        second_session(therapist, practice, hours_later=3)  # someone books 13:00 meanwhile
    sign_in(client, team["therapist"])
    response = client.post(
        "/staff/availability/",
        BLOCK
        | {
            "therapist": therapist.pk,
            f"session_{booked.public_id}": "move",
            f"move_{booked.public_id}": chosen.isoformat(),
            "move_notify_asked": "1",
            "move_notify": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Thu 5 Mar 10:00" in page and "no longer free" in page and "Nothing was saved" in page
    assert not TimeOff.objects.exists()
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10


def test_the_staff_api_moves_to_a_chosen_time_with_the_time_off(
    client, team, booked, therapist, practice, now
):
    sign_in(client, team["therapist"])
    body = {
        "therapist": therapist.pk,
        "start_date": "2026-03-05",
        "end_date": "2026-03-05",
        "start_time": "09:00",
        "end_time": "12:00",
        "sessions": {str(booked.public_id): "move"},
        "moves": {str(booked.public_id): "2026-03-05T11:00:00-05:00"},
    }
    refused = client.post(
        "/api/v1/staff/availability/time-off/", body, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "slot_unavailable"
    assert "no longer free" in refused.json()["detail"] and not TimeOff.objects.exists()
    body["moves"] = {str(booked.public_id): THURSDAY_13.isoformat()}
    body["notify"] = False
    saved = client.post(
        "/api/v1/staff/availability/time-off/", body, content_type="application/json"
    )
    assert saved.status_code == 201, saved.json()
    booked.refresh_from_db()
    assert booked.start == THURSDAY_13.astimezone(UTC) and TimeOff.objects.count() == 1
    assert not Notification.objects.filter(appointment=booked, kind="update").exists()
