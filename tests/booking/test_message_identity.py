"""Messages speak as the practice and to the client by the name they asked us to use."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone

from booking.notify import sms
from booking.scheduling.services import Actor, appointment_book, appointment_cancel
from tests.booking.test_notifications import THURSDAY_10, run_scanner_at
from tests.factories import ClientFactory
from tests.support.ics_check import parse_all


@pytest.fixture
def bobbie(practice):
    practice.name = "Lakeside Therapy"
    practice.contact_email = "hello@lakeside.example"
    practice.save()
    return ClientFactory(
        practice=practice,
        first_name="Roberta",
        preferred_name="Bobbie",
        email="bobbie@example.com",
        phone="+12025550143",
        sms_consent_at=timezone.now(),
    )


@pytest.fixture
def booked(therapist, bobbie, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=bobbie,
            start=THURSDAY_10,
        )


def test_emails_and_texts_use_the_preferred_name(now, booked, time_machine):
    sms.outbox.clear()
    (confirmation,) = mail.outbox
    assert "Hello Bobbie" in confirmation.body and "Roberta" not in confirmation.body
    run_scanner_at(THURSDAY_10 - timedelta(hours=3), time_machine)
    assert "Bobbie" in sms.outbox[-1]["body"] and "Roberta" not in sms.outbox[-1]["body"]
    sms.outbox.clear()


def test_emails_come_from_the_practice_and_replies_go_to_its_contact_address(now, booked):
    (email,) = mail.outbox
    name, address = parseaddr(email.from_email)
    assert name == "Lakeside Therapy" and address
    assert email.reply_to == ["hello@lakeside.example"]
    assert 'From: "Lakeside Therapy"' in email.message().as_string() or (
        "From: Lakeside Therapy <" in email.message().as_string()
    )


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_invitations_carry_organizer_and_attendee_and_one_charset(
    now, booked, method, django_capture_on_commit_callbacks
):
    if method == "CANCEL":
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(appointment=booked, actor=Actor.CLIENT)
    email = mail.outbox[-1]
    part = next(p for p in email.message().walk() if p.get_content_type() == "text/calendar")
    assert part["Content-Type"].lower().count("charset") == 1
    assert part.get_param("method") == method
    (event,) = parse_all(part.get_payload(decode=True)).walk("VEVENT")
    assert str(event["ORGANIZER"]).lower() == "mailto:hello@lakeside.example"
    assert event["ORGANIZER"].params["CN"] == "Lakeside Therapy"
    assert str(event["ATTENDEE"]).lower() == "mailto:bobbie@example.com"
    text = part.get_payload(decode=True).decode()
    assert "note" not in text.lower() and "Roberta" not in text


def test_the_confirmation_email_has_calendar_links_and_a_number_to_tap(now, booked):
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    for text in (email.body, html):
        assert "calendar.google.com" in text and "outlook.live.com" in text
    assert 'href="tel:+12125550100"' in html


def test_the_cancellation_email_links_back_to_booking(
    now, booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, actor=Actor.CLIENT)
    email = mail.outbox[-1]
    assert "/book/" in email.body and 'href="http' in email.alternatives[0][0]
    assert '/book/"' in email.alternatives[0][0] or "/book/'" in email.alternatives[0][0]
