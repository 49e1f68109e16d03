"""The owners' daily summary of failed messages: a notification row, sent by the same sender."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from booking.models import Notification, NotificationKind, NotificationState
from booking.notify.dispatch import notification_send, notifications_claim_due
from booking.notify.tasks import schedule_failure_summaries
from booking.scheduling.services import appointment_book, notification_resend
from practice.models import StaffRole
from tests.factories import ClientFactory
from tests.support.smtp_server import smtp_server
from tests.support.staff import make_staff

THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def failed(now, therapist, practice, settings, django_capture_on_commit_callbacks):
    """A confirmation refused for good (550) by a real SMTP server."""
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        server.refuse_rcpt("550 5.1.1 No such mailbox")
        client = ClientFactory(
            practice=practice, first_name="Roberta", preferred_name="Robin", last_name="Example"
        )
        with django_capture_on_commit_callbacks(execute=True):
            appointment = appointment_book(
                therapist=therapist,
                session_type=therapist.session_types.get(),
                client=client,
                start=THURSDAY_10,
            )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    confirmation = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
    assert confirmation.state == NotificationState.FAILED
    return confirmation


@pytest.fixture
def owner(practice):
    return make_staff(practice, StaffRole.OWNER, email="owner@example.org")


def eight_am_new_york(day) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=NEW_YORK).astimezone(UTC)


def send_due(at):
    for pk in notifications_claim_due(now=at):
        notification_send(notification_id=pk, now=at)


def test_the_owner_gets_one_summary_a_day_from_eight_on_the_practices_clock(
    failed, owner, time_machine, now
):
    eight = eight_am_new_york(now.astimezone(NEW_YORK).date())
    time_machine.move_to(eight - timedelta(minutes=1), tick=False)
    assert schedule_failure_summaries() == 0  # 07:59 in New York
    time_machine.move_to(eight, tick=False)
    assert schedule_failure_summaries() == 1
    assert schedule_failure_summaries() == 0  # the same day: still one
    mail.outbox.clear()
    send_due(eight)
    (email,) = mail.outbox
    assert email.to == ["owner@example.org"]
    assert email.subject == "1 message(s) to clients could not be sent"
    assert "R.E.: confirmation (email)" in email.body
    assert "Robin" not in email.body and "Example" not in email.body  # initials only
    assert "/staff/" in email.body
    summary = Notification.objects.get(kind=NotificationKind.FAILURE_SUMMARY)
    assert summary.state == NotificationState.SENT
    assert summary.agenda_date == eight.astimezone(NEW_YORK).date()


def test_no_summary_when_every_failure_was_resent(failed, owner, time_machine, now):
    notification_resend(notification=failed)
    time_machine.move_to(eight_am_new_york(now.astimezone(NEW_YORK).date()), tick=False)
    assert schedule_failure_summaries() == 0
