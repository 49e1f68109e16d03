"""The booking pages through Django's test client: holds, errors, and no 500s."""

from datetime import UTC, date, datetime, timedelta

import pytest

from booking.exceptions import SlotUnavailable
from booking.models import HOLD_DURATION, Appointment, AppointmentStatus
from booking.scheduling.selectors import manage_token, slot_list
from booking.scheduling.services import (
    appointment_book,
    appointment_confirm_email,
    appointment_confirm_hold,
    appointment_hold,
)
from booking.tokens import manage_token_for
from clients.models import Client
from tests.factories import ClientFactory, TherapistFactory
from tests.support.booking_forms import DETAILS as FORM_DETAILS
from tests.support.identity import confirm_email

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
DETAILS = {**FORM_DETAILS, "tz": "America/Chicago"}


def hold_now(therapist, start=TUESDAY_10):
    return appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=start
    )


def free_at(therapist, start, now):
    return start in slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=start,
        window_end=start + timedelta(hours=1),
        now=now,
    )


def test_a_hold_keeps_others_off_the_slot_until_it_expires(now, therapist, practice, time_machine):
    hold_now(therapist)
    assert not free_at(therapist, TUESDAY_10, now)
    with pytest.raises(SlotUnavailable):
        hold_now(therapist)
    later = now + HOLD_DURATION + timedelta(seconds=1)
    time_machine.move_to(later, tick=False)
    assert free_at(therapist, TUESDAY_10, later)
    booked = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    # The expired hold made way: deleted in the booking's own transaction.
    assert list(Appointment.objects.values_list("pk", flat=True)) == [booked.pk]


def test_confirming_a_hold_books_it_once_even_if_submitted_twice(now, therapist):
    hold = hold_now(therapist)
    details = {"first_name": "A", "last_name": "B", "email": "ab@example.com", "time_zone": "UTC"}
    first = appointment_confirm_hold(hold=hold, client_details=details)
    again = appointment_confirm_hold(hold=hold, client_details=details)
    assert first.pk == again.pk == hold.pk
    assert first.status == AppointmentStatus.PENDING and first.email_confirm_by is not None
    assert first.notifications.filter(kind="verify_email").count() == 1
    assert Client.objects.count() == 1


def test_an_expired_hold_taken_by_someone_else_cannot_be_confirmed(
    now, therapist, practice, time_machine
):
    hold = hold_now(therapist)
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=1), tick=False)
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    with pytest.raises(SlotUnavailable, match="someone else has booked it"):
        appointment_confirm_hold(
            hold=hold,
            client_details={
                "first_name": "A",
                "last_name": "B",
                "email": "a@example.com",
                "time_zone": "UTC",
            },
        )


def test_an_expired_hold_nobody_took_can_still_be_confirmed(now, therapist, time_machine):
    hold = hold_now(therapist)
    time_machine.move_to(now + HOLD_DURATION + timedelta(minutes=5), tick=False)
    booked = appointment_confirm_hold(
        hold=hold,
        client_details={
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.com",
            "time_zone": "UTC",
        },
    )
    assert booked.status == AppointmentStatus.PENDING
    assert appointment_confirm_email(appointment=booked).status == AppointmentStatus.CONFIRMED


def test_holds_never_appear_in_feeds_or_get_messages(now, therapist):
    hold = hold_now(therapist)
    assert hold.client is None
    assert not hold.notifications.exists()


# --- pages -----------------------------------------------------------------------


def test_the_landing_page_lists_session_types_and_therapists(client, therapist):
    page = client.get("/book/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Individual session" in text and therapist.display_name in text
    assert 'lang="en"' in text


def test_the_times_page_shows_times_in_the_asked_zone(client, now, therapist):
    query = {"session_type": therapist.session_types.get().pk, "tz": "Europe/Berlin"}
    page = client.get("/book/times/", query)
    assert page.status_code == 200
    # Tuesday 10:00 EST is 16:00 in Berlin.
    assert f'value="{TUESDAY_10.isoformat()}"' in page.content.decode()
    assert ">16:00<" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"session_type": "999"},
        {"session_type": "abc"},
        {"session_type": "1", "therapist": "999"},
    ],
)
def test_bad_choices_are_a_404_not_a_500(client, therapist, query):
    assert client.get("/book/times/", query).status_code == 404


def test_a_garbled_time_goes_back_to_the_times(client, now, therapist):
    response = client.post(
        "/book/hold/", {"session_type": therapist.session_types.get().pk, "start": "tomorrow"}
    )
    assert response.status_code == 302 and "/book/times/" in response["Location"]
    assert not Appointment.objects.exists()


def test_a_taken_time_says_so_and_offers_the_rest(client, now, therapist, practice):
    session_type = therapist.session_types.get()
    appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    response = client.post(
        "/book/hold/",
        {"session_type": session_type.pk, "start": TUESDAY_10.isoformat(), "tz": "UTC"},
        follow=True,
    )
    text = response.content.decode()
    assert "that time was just taken" in text
    assert f'value="{(TUESDAY_10 + timedelta(hours=1)).isoformat()}"' in text


def test_any_available_therapist_is_picked_fairly(client, now, practice, session_type):
    busy, idle = (TherapistFactory(practice=practice, offers=[session_type]) for _ in range(2))
    appointment_book(
        therapist=busy,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TUESDAY_10 + timedelta(days=1),
    )
    client.post("/book/hold/", {"session_type": session_type.pk, "start": TUESDAY_10.isoformat()})
    assert Appointment.objects.get(status=AppointmentStatus.HELD).therapist == idle


def test_details_errors_keep_what_was_typed_and_answer_422(client, now, therapist):
    hold = hold_now(therapist)
    url = f"/book/details/{manage_token_for(hold.public_id)}/"
    response = client.post(url, DETAILS | {"email": "robin@", "phone": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert 'value="Robin"' in text and 'value="robin@"' in text
    assert "Enter an email address like name@example.com." in text
    assert (
        'aria-invalid="true"' in text and 'aria-describedby="id_email-error id_email-help"' in text
    )
    hold.refresh_from_db()
    assert hold.status == AppointmentStatus.HELD


def test_details_book_the_held_time_and_record_consent(client, now, therapist):
    hold = hold_now(therapist)
    token = manage_token_for(hold.public_id)
    response = client.post(f"/book/details/{token}/", DETAILS | {"note": "Evenings suit me"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"/book/manage/{token}/?booked=1&at={int(TUESDAY_10.timestamp())}"
    )
    hold.refresh_from_db()
    assert (hold.status, hold.first_session, hold.client_note) == (
        AppointmentStatus.PENDING,
        True,
        "Evenings suit me",
    )
    assert "check your email" in client.get(response["Location"]).content.decode()
    confirmed = confirm_email(client, hold)
    hold.refresh_from_db()
    assert hold.status == AppointmentStatus.CONFIRMED
    assert confirmed["Location"] == (
        f"/book/manage/{manage_token(hold)}/?booked=1&at={int(TUESDAY_10.timestamp())}"
    )
    assert hold.client.phone == "+12025550143"
    assert hold.client.time_zone == "America/Chicago"
    assert hold.client.contact_consent_at == now


def test_the_manage_page_refuses_changes_inside_the_window(client, now, therapist, time_machine):
    hold = hold_now(therapist)
    token = manage_token_for(hold.public_id)
    client.post(f"/book/details/{token}/", DETAILS)
    confirm_email(client, hold)
    hold.refresh_from_db()
    token = manage_token(hold)
    time_machine.move_to(TUESDAY_10 - timedelta(hours=2), tick=False)
    page = client.get(f"/book/manage/{token}/").content.decode()
    assert "can no longer be changed online" in page and "+1 212 555 0100" in page
    assert "Cancel this session" not in page
    response = client.post(f"/book/manage/{token}/cancel/")
    assert response.status_code == 409
    assert "within 24 hours" in response.content.decode()


def test_an_empty_week_opens_on_the_next_free_day(client, now, therapist, practice):
    from booking.models import TimeOff

    TimeOff.objects.create(
        practice=practice,
        therapist=therapist,
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 15),
    )
    page = client.get("/book/times/", {"session_type": therapist.session_types.get().pk})
    text = page.content.decode()
    assert "Next available: Mon 16 Mar" in text
    assert '<h2 id="day-heading">Monday 16 March</h2>' in text
    # 09:00 New York on Monday 16 March (EDT since the 8th) is 13:00 UTC.
    assert 'value="2026-03-16T13:00:00+00:00"' in text


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40])
def test_digits_that_are_not_ascii_or_too_long_are_not_a_500(client, now, therapist, value):
    response = client.get("/book/times/", {"session_type": value, "tz": "UTC"})
    assert response.status_code in (302, 400, 404)
