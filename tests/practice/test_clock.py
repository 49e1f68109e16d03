"""A 12- or 24-hour clock from the practice's setting, on public and staff pages and in emails."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.support.staff import make_staff, sign_in

NY = ZoneInfo("America/New_York")
THURSDAY_14 = datetime(2026, 3, 5, 14, 0, tzinfo=NY)


@pytest.fixture
def us_practice(practice):
    practice.clock = "12"
    practice.save()
    return practice


def test_a_practice_reads_24_hours_by_default(practice):
    assert practice.clock == "24"


def test_the_times_page_reads_the_12_hour_clock(client, us_practice, therapist, now):
    page = client.get(
        "/book/times/",
        {
            "session_type": therapist.session_types.get().pk,
            "therapist": therapist.pk,
            "tz": "America/New_York",
            "start": "2026-03-05",
        },
    ).content.decode()
    assert ">2:00 PM<" in page
    assert ">14:00<" not in page


def test_staff_pages_and_emails_read_the_12_hour_clock(
    client, us_practice, therapist, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=us_practice, first_name="Twelve"),
            start=THURSDAY_14.astimezone(UTC),
        )
    (email,) = mail.outbox
    assert "Thu 5 Mar at 2:00 PM" in email.subject
    sign_in(client, make_staff(us_practice, StaffRole.THERAPIST, therapist=therapist))
    week = client.get("/staff/calendar/?date=2026-03-05").content.decode()
    assert "2:00 PM Twelve" in week
    session = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "2:00 PM" in session
