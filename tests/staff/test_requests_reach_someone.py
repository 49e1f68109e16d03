"""A request that needs approval reaches the therapist and the front desk (email through the
notification table, and the top of Today); one nobody handles in time goes to the owners, once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from booking.models import Notification, NotificationState
from booking.notify import dispatch
from booking.notify.notifications import notifications_escalate_overdue_requests
from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import make_staff, sign_in


@pytest.fixture
def request_booked(therapist, practice, now):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    return appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice, first_name="Rosa", last_name="Waitingtest"),
        start=THURSDAY_10,
    )


def send_due(now):
    """What the beat scanner and the workers do: claim what is due and send each."""
    for notification_id in dispatch.notifications_claim_due(now=now):
        dispatch.notification_send(notification_id=notification_id, now=now)


def emails_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_a_request_emails_the_therapist_and_the_front_desk(team, request_booked, now):
    mail.outbox.clear()
    send_due(now)
    therapist_email = team["therapist"].email
    desk_email = team["receptionist"].email
    (staff_message,) = [m for m in mail.outbox if therapist_email in m.to]
    assert sorted(staff_message.to) == sorted([therapist_email, desk_email])
    assert staff_message.subject == "A session request to approve: Thu 5 Mar at 10:00 EST"
    assert f"/staff/appointments/{request_booked.public_id}/" in staff_message.body
    # Initials only: email is not private.
    assert "R.W." in staff_message.body and "Waitingtest" not in staff_message.body
    # The owner is not bothered yet, and the client got their own "request received".
    assert not emails_to(team["owner"].email)
    assert [m.subject for m in emails_to(request_booked.client.email)] == [
        "We received your request for Thu 5 Mar at 10:00 EST"
    ]


def test_the_request_is_at_the_top_of_today_for_its_therapist_and_the_desk(
    client, team, request_booked, now
):
    for who, sees in [("therapist", True), ("receptionist", True), ("colleague", False)]:
        sign_in(client, team[who])
        page = client.get("/staff/").content.decode()
        assert ('data-testid="requests"' in page) is sees, who
        if sees:
            assert page.index('data-testid="requests"') < page.index('data-testid="today"')
            assert "Rosa Waitingtest" in page
        client.logout()


def test_an_unhandled_request_goes_to_the_owners_once_after_the_practice_setting(
    team, request_booked, practice, now
):
    practice.request_escalate_after = timedelta(hours=6)
    practice.save()
    send_due(now)
    mail.outbox.clear()
    assert notifications_escalate_overdue_requests(now=now + timedelta(hours=5, minutes=59)) == 0
    later = now + timedelta(hours=6)
    assert notifications_escalate_overdue_requests(now=later) == 1
    assert notifications_escalate_overdue_requests(now=later + timedelta(hours=1)) == 0
    send_due(later)
    (escalation,) = mail.outbox
    assert escalation.to == [team["owner"].email]
    assert escalation.subject == "Not yet handled: a session request for Thu 5 Mar at 10:00 EST"
    assert "within 6 hours" in escalation.body


def test_a_handled_request_is_not_escalated_and_its_staff_email_is_called_off(
    client, team, request_booked, now
):
    sign_in(client, team["therapist"])
    client.post(f"/staff/appointments/{request_booked.public_id}/approve/")
    assert notifications_escalate_overdue_requests(now=now + timedelta(days=2)) == 0
    mail.outbox.clear()
    send_due(now)
    assert not emails_to(team["receptionist"].email)
    staff_row = Notification.objects.get(appointment=request_booked, kind="request_staff")
    assert staff_row.state == NotificationState.CANCELLED


def test_without_a_receptionist_the_owners_are_the_front_desk(practice, therapist, now):
    owner = make_staff(practice, StaffRole.OWNER)
    make_staff(practice, StaffRole.THERAPIST, therapist=therapist)
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=THURSDAY_10,
    )
    mail.outbox.clear()
    send_due(now)
    (staff_message,) = [m for m in mail.outbox if owner.email in m.to]
    assert sorted(staff_message.to) == sorted([owner.email, therapist.user.email])


def test_the_beat_schedule_runs_the_escalation():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "booking.notify.tasks.escalate_overdue_requests" in tasks
