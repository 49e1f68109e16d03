"""A booking made through the public API reaches a real SMTP server, by the real worker.

The booker first gets "Please confirm your booking request"; after they confirm
their address, the confirmation with its .ics. Both travel the production path:
the notification row, the broker, a Celery worker, Django's SMTP backend and an
SMTP server listening on a loopback port (aiosmtpd, in this process).
"""

from datetime import timedelta

import icalendar
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import Appointment, NotificationKind, NotificationState
from booking.scheduling import selectors
from tests.support.celery_helpers import wait_for
from tests.support.identity import CONFIRM_PATH, confirm_email
from tests.support.real_delivery import smtp, worker  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_booking_made_through_the_api_arrives_at_the_smtp_server_with_its_ics(
    smtp,  # noqa: F811 (the fixtures imported above)
    worker,  # noqa: F811
    therapist,
):
    now = timezone.now()
    start = selectors.slot_list(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        window_start=now + timedelta(days=3),
        window_end=now + timedelta(days=30),
        now=now,
    )[0]
    http = APIClient()
    response = http.post(
        "/api/v1/bookings/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": start.isoformat(),
            "timezone": "Europe/Berlin",
            "client": {"first_name": "Robin", "last_name": "Example", "email": "robin@example.com"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    wait_for(lambda: len(smtp.messages) == 1, what="the confirm-your-address email")
    (ask,) = smtp.messages
    assert ask["Subject"].startswith("Please confirm")
    assert CONFIRM_PATH.search(ask.get_body(("plain",)).get_content())

    appointment = Appointment.objects.get(public_id=response.json()["id"])
    confirm_email(http, appointment)
    wait_for(lambda: len(smtp.messages) == 2, what="the booking's confirmation")
    confirmation = smtp.messages[1]
    assert confirmation["To"] == "robin@example.com"
    (part,) = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("DTSTART") == start
    row = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
    wait_for(lambda: type(row).objects.get(pk=row.pk).state == NotificationState.SENT)
