"""Honest policy text: never a deadline in the past, never a banner older than the state."""

from datetime import timedelta

import pytest
from django.core import mail

from booking.feeds import calendar_links
from booking.models import Notification, NotificationKind
from booking.notify import messages
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_hold,
)
from booking.tokens import manage_token_for
from tests.booking.test_pages import TUESDAY_10
from tests.factories import ClientFactory

# Monday 16:00 UTC: Tuesday 10:00 New York (15:00 UTC) is 23 hours away,
# inside the 24-hour late-cancel window.
INSIDE = TUESDAY_10 - timedelta(hours=23)
PAST_DEADLINE = "until Monday 2 March"


@pytest.fixture
def short_notice(practice, time_machine, now):
    practice.min_notice = timedelta(hours=1)
    practice.contact_email = "hello@practice.example"
    practice.save()
    time_machine.move_to(INSIDE, tick=False)
    return practice


@pytest.fixture
def booked(therapist, practice, django_capture_on_commit_callbacks):
    def _book(start=TUESDAY_10):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                therapist=therapist,
                session_type=therapist.session_types.get(),
                client=ClientFactory(practice=practice, first_name="Robin"),
                start=start,
            )

    return _book


def test_the_details_page_says_before_booking_that_a_late_session_cannot_be_changed_online(
    client, short_notice, therapist
):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    text = client.get(f"/book/details/{manage_token_for(hold.public_id)}/").content.decode()
    assert "cannot be changed or cancelled online" in text
    assert "You can cancel or move your session online until" not in text


def test_the_confirmation_page_prints_no_deadline_in_the_past(client, short_notice, booked):
    appointment = booked()
    text = client.get(f"/book/manage/{manage_token(appointment)}/?booked=1").content.decode()
    assert "can no longer be changed online" in text
    assert PAST_DEADLINE not in text and "(until " not in text
    assert 'href="tel:+12125550100"' in text


def test_the_confirmation_email_prints_no_deadline_in_the_past(short_notice, booked):
    booked()
    (email,) = mail.outbox
    assert "can no longer be changed online" in email.body
    assert "until Monday" not in email.body and "See, move or cancel" not in email.body
    assert "+1 212 555 0100" in email.body and "hello@practice.example" in email.body


def test_a_reminder_sent_at_the_deadline_offers_no_online_change(now, booked, time_machine):
    appointment = booked()
    reminder = Notification.objects.filter(
        appointment=appointment, kind=NotificationKind.REMINDER, channel="email"
    ).earliest("due_at")
    at_deadline = appointment.start - appointment.practice.late_cancel_window
    email = messages.build_email(reminder, now=at_deadline)
    assert "can no longer be changed online" in email.body
    assert "See, move or cancel" not in email.body and "reschedule online until" not in email.body


def test_a_reminder_before_the_deadline_still_offers_it(now, booked):
    appointment = booked(start=TUESDAY_10 + timedelta(days=2))
    reminder = Notification.objects.filter(
        appointment=appointment, kind=NotificationKind.REMINDER, channel="email"
    ).earliest("due_at")
    email = messages.build_email(reminder, now=reminder.due_at)
    assert "You can cancel or reschedule online until" in email.body


@pytest.mark.parametrize("flag,banner", [("booked", "You are booked"), ("moved", "has moved")])
def test_an_old_confirmation_url_shows_the_current_state(client, now, booked, flag, banner):
    appointment = booked()
    appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
    text = client.get(f"/book/manage/{manage_token(appointment)}/?{flag}=1").content.decode()
    assert banner not in text and "Cancelled" in text


def booked_address(appointment, start=TUESDAY_10) -> str:
    """The address the details form sends a client to (computed here, not by the view)."""
    return f"/book/manage/{manage_token(appointment)}/?booked=1&at={int(start.timestamp())}"


def move(client, appointment, start) -> str:
    """The client moves the session on its manage page; the address they land on."""
    response = client.post(
        f"/book/manage/{manage_token(appointment)}/reschedule/", {"start": start.isoformat()}
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def test_a_confirmation_address_still_true_shows_its_banner(client, now, booked):
    appointment = booked()
    text = client.get(booked_address(appointment)).content.decode()
    assert "You are booked" in text and "has changed since" not in text


def test_a_booked_address_after_the_session_moved_shows_where_it_is_now(client, now, booked):
    appointment = booked()
    address = booked_address(appointment)
    move(client, appointment, TUESDAY_10 + timedelta(hours=2))
    text = client.get(address).content.decode()
    assert "You are booked" not in text
    assert "has changed since this page's address was made: it has moved" in text
    assert "12:00–12:50" in text  # Tuesday 10:00 New York moved two hours later


def test_a_booked_address_after_the_session_was_cancelled_says_cancelled(client, now, booked):
    appointment = booked()
    address = booked_address(appointment)
    appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
    text = client.get(address).content.decode()
    assert "You are booked" not in text and "Cancelled" in text
    assert "it is cancelled" in text


def test_a_moved_address_after_a_second_move_no_longer_says_moved_there(client, now, booked):
    appointment = booked()
    first = move(client, appointment, TUESDAY_10 + timedelta(hours=1))
    assert first.endswith(f"?moved=1&at={int((TUESDAY_10 + timedelta(hours=1)).timestamp())}")
    assert "Your session has moved" in client.get(first).content.decode()
    move(client, appointment, TUESDAY_10 + timedelta(hours=3))
    text = client.get(first).content.decode()
    assert "Your session has moved" not in text
    assert "has changed since this page's address was made: it has moved" in text
    assert "13:00–13:50" in text


def test_an_address_without_the_time_it_announces_shows_no_banner(client, now, booked):
    # Addresses made before they carried "at" cannot tell: the current state, no news.
    appointment = booked()
    text = client.get(f"/book/manage/{manage_token(appointment)}/?booked=1").content.decode()
    assert "You are booked" not in text and "Your session" in text


def test_a_cancelled_banner_on_a_live_session_is_not_shown(client, now, booked):
    appointment = booked()
    text = client.get(f"/book/manage/{manage_token(appointment)}/?cancelled=1").content.decode()
    assert "is cancelled" not in text


@pytest.fixture
def approval(therapist):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    return session_type


def test_a_session_needing_approval_is_requested_not_booked(client, now, therapist, approval):
    hold = appointment_hold(therapist=therapist, session_type=approval, start=TUESDAY_10)
    text = client.get(f"/book/details/{manage_token_for(hold.public_id)}/").content.decode()
    assert "Request this time" in text and "Book this session" not in text


def test_calendar_links_for_a_request_say_it_is_not_confirmed(now, booked, approval):
    appointment = booked()
    assert appointment.status == "pending"
    assert "Requested" in calendar_links.google(appointment)
    assert "Requested" in calendar_links.outlook(appointment)
