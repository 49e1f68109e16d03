"""Acting on a session from the staff pages: approve, decline, move, cancel, record the outcome."""

from datetime import timedelta

from django.core import mail

from booking.models import Appointment, AppointmentStatus, Notification
from booking.scheduling import selectors
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in


def act(client, appointment, action, data=None):
    return client.post(
        f"/staff/appointments/{appointment.public_id}/{action}/", data or {}, follow=True
    )


def pending_request(therapist, practice):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    return appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice, email="asker@example.org"),
        start=THURSDAY_10,
    )


def test_approving_a_request_confirms_it_and_tells_the_client(
    client, team, therapist, practice, now, django_capture_on_commit_callbacks
):
    request = pending_request(therapist, practice)
    sign_in(client, team["therapist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(client, request, "approve")
    request.refresh_from_db()
    assert (request.status, request.sequence) == (AppointmentStatus.CONFIRMED, 1)
    assert [m.subject for m in mail.outbox] == ["Your session on Thu 5 Mar at 10:00 EST is booked"]


def test_declining_frees_the_time_and_tells_the_client(
    client, team, therapist, practice, now, django_capture_on_commit_callbacks
):
    request = pending_request(therapist, practice)
    session_type = request.session_type
    assert not selectors.slot_is_free(
        therapist=therapist, session_type=session_type, start=THURSDAY_10, now=now
    )
    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, request, "decline")
    assert "Declined" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.sequence) == (AppointmentStatus.CANCELLED, 1)
    (email,) = mail.outbox
    assert email.subject.startswith("We could not offer you") and email.to == ["asker@example.org"]
    assert "/book/" in email.body
    assert selectors.slot_is_free(
        therapist=therapist, session_type=session_type, start=THURSDAY_10, now=now
    )


def test_moving_to_a_listed_free_time_or_by_override_never_over_another_session(
    client, team, booked, therapist, practice, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    later = (THURSDAY_10 + timedelta(hours=2)).astimezone(therapist.zone).isoformat()
    assert f'value="{later}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        act(client, booked, "reschedule", {"start": later})
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10 + timedelta(hours=2) and booked.sequence == 1
    assert Notification.objects.filter(appointment=booked, kind="update").exists()
    # Saturday 08:00 is outside the hours: refused without the override, taken with it.
    saturday = {"date": "2026-03-07", "time": "08:00"}
    response = act(client, booked, "reschedule", saturday)
    assert "not free in the working hours" in response.content.decode()
    act(client, booked, "reschedule", saturday | {"override_hours": "on"})
    booked.refresh_from_db()
    assert booked.start.astimezone(therapist.zone).strftime("%a %H:%M") == "Sat 08:00"
    # Never over another session, override or not.
    other = appointment_book(
        therapist=therapist,
        session_type=booked.session_type,
        client=ClientFactory(practice=practice),
        start=THURSDAY_10,
    )
    response = act(
        client,
        booked,
        "reschedule",
        {"date": "2026-03-05", "time": "10:00", "override_hours": "on"},
    )
    assert "just been taken" in response.content.decode()
    booked.refresh_from_db()
    assert booked.start != other.start


def test_cancelling_with_or_without_late_status(
    client, team, booked, therapist, practice, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    with django_capture_on_commit_callbacks(execute=True):
        act(client, booked, "cancel", {"late": "on"})
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.LATE_CANCELLED
    assert Notification.objects.filter(appointment=booked, kind="cancellation").exists()
    other = appointment_book(
        therapist=therapist,
        session_type=booked.session_type,
        client=ClientFactory(practice=practice),
        start=THURSDAY_10 + timedelta(hours=1),
    )
    act(client, other, "cancel")
    other.refresh_from_db()
    assert other.status == AppointmentStatus.CANCELLED


def test_outcomes_are_recorded_once_the_session_has_started(client, team, booked, time_machine):
    sign_in(client, team["therapist"])
    response = act(client, booked, "outcome", {"outcome": "attended"})
    assert "once it has started" in response.content.decode()
    time_machine.move_to(THURSDAY_10 + timedelta(minutes=55), tick=False)
    sign_in(client, team["therapist"])  # days later: a new sign-in
    act(client, booked, "outcome", {"outcome": "no_show"})
    booked.refresh_from_db()
    assert (booked.status, booked.sequence) == (AppointmentStatus.NO_SHOW, 1)
    act(client, booked, "outcome", {"outcome": "attended"})  # corrected
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.ATTENDED
    response = act(client, booked, "outcome", {"outcome": "teleported"})
    assert "Choose attended" in response.content.decode()


def test_an_unknown_action_or_someone_elses_session_is_a_404(client, team, booked):
    sign_in(client, team["therapist"])
    assert client.post(f"/staff/appointments/{booked.public_id}/explode/").status_code == 404
    sign_in(client, team["colleague"])
    assert client.post(f"/staff/appointments/{booked.public_id}/cancel/").status_code == 404
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.CONFIRMED


def test_a_session_the_practice_books_itself_needs_no_approval(
    client, team, therapist, practice, now
):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    patient = ClientFactory(practice=practice, assigned_therapist=therapist)
    sign_in(client, team["receptionist"])
    response = client.post(
        "/api/v1/staff/appointments/",
        {
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "client": str(patient.public_id),
            "start": (THURSDAY_10 + timedelta(hours=2)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    # A client's own request for the same type still waits for approval.
    assert pending_request(therapist, practice).status == AppointmentStatus.PENDING
