"""The admin pages load, and the appointment admin cannot bypass the booking service."""

from datetime import UTC, datetime

import pytest

from booking.models import Appointment
from booking.services import appointment_book
from practice.models import StaffRole
from tests.support.staff import make_staff, sign_in


@pytest.fixture
def admin_client(client, practice):
    user = make_staff(practice, StaffRole.OWNER, is_superuser=True)
    return sign_in(client, user)


@pytest.fixture
def appointment(now, therapist, client_record):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client_record,
        start=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/booking/appointment/",
        "/admin/booking/notification/",
        "/admin/booking/workinghours/",
        "/admin/booking/timeoff/",
        "/admin/practice/therapist/",
        "/admin/practice/sessiontype/",
        "/admin/clients/client/",
    ],
)
def test_admin_lists_load(admin_client, appointment, path):
    assert admin_client.get(path).status_code == 200


def test_an_appointment_shows_its_notifications_and_cannot_be_edited(admin_client, appointment):
    page = admin_client.get(f"/admin/booking/appointment/{appointment.pk}/change/")
    assert page.status_code == 200
    assert b"Confirmation" in page.content and b"Reminder" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.get("/admin/booking/appointment/add/").status_code == 403


def test_the_cancel_action_goes_through_the_service(admin_client, appointment):
    response = admin_client.post(
        "/admin/booking/appointment/",
        {"action": "cancel_selected", "_selected_action": [appointment.pk]},
        follow=True,
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.status, appointment.sequence) == ("cancelled", 1)
    assert appointment.notifications.filter(kind="cancellation").exists()
    assert Appointment.objects.count() == 1
