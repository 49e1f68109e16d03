"""The admin pages load, and the appointment admin cannot bypass the booking service."""

from datetime import UTC, datetime

import pytest

from booking.models import Appointment
from booking.scheduling.services import appointment_book
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


def test_the_owner_publishes_a_new_form_version_and_earlier_intakes_keep_theirs(
    admin_client, intake_practice
):
    from clients.models import Intake, IntakeForm
    from tests.factories import ClientFactory

    form = IntakeForm.objects.get(practice=intake_practice)
    first = form.versions.get()
    earlier = Intake.objects.create(
        practice=intake_practice,
        client=ClientFactory(practice=intake_practice),
        form_version=first,
        invited_at=first.published_at,
    )
    questions = '[{"key": "hopes", "type": "long_text", "label": "What do you hope for?"}]'
    response = admin_client.post(
        f"/admin/clients/intakeform/{form.pk}/change/",
        {
            "practice": intake_practice.pk,
            "name": "Intake",
            "is_active": "on",
            "questions": questions,
        },
    )
    assert response.status_code == 302
    latest = form.versions.first()
    assert latest.number == 2 and latest.questions[0]["key"] == "hopes"
    earlier.refresh_from_db()
    assert earlier.form_version == first
    broken = admin_client.post(
        f"/admin/clients/intakeform/{form.pk}/change/",
        {"practice": intake_practice.pk, "name": "Intake", "questions": '[{"key": "x"}]'},
    )
    assert broken.status_code == 200 and "needs a label" in broken.content.decode()
    assert form.versions.count() == 2


def test_admin_views_of_a_client_are_audited(admin_client, client_record):
    from clients.models import AuditEvent

    assert admin_client.get(f"/admin/clients/client/{client_record.pk}/change/").status_code == 200
    entry = AuditEvent.objects.get(client_ref=client_record.pk)
    assert (entry.action, entry.via) == ("view", "admin")


def test_a_client_made_in_the_admin_is_proven_and_cannot_take_a_known_address(
    admin_client, client_record
):
    from clients.models import Client

    form = {
        "practice": client_record.practice_id,
        "first_name": "New",
        "last_name": "Person",
        "email": client_record.email.upper(),
        "time_zone": "UTC",
        "status": "prospective",
    }
    taken = admin_client.post("/admin/clients/client/add/", form)
    assert taken.status_code == 200
    assert "already uses this email" in taken.content.decode()
    made = admin_client.post("/admin/clients/client/add/", form | {"email": "new@example.net"})
    assert made.status_code == 302
    assert Client.objects.get(email="new@example.net").is_verified
