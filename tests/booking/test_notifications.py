"""Durable notifications: written with the booking change, sent once, never when moot.

Tasks run eagerly here (CELERY_TASK_ALWAYS_EAGER); the real worker and broker
are exercised in test_worker_integration.py.
"""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from booking.exceptions import SlotUnavailable
from booking.models import Notification, NotificationKind, NotificationState
from booking.notify import sms
from booking.notify.dispatch import notification_send, notifications_claim_due
from booking.notify.tasks import (
    dispatch_due_notifications,
    send_notification,
    send_notifications,
)
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.factories import ClientFactory
from tests.support.ics_check import parse_all

# Thursday 2026-03-05 10:00 EST: three days after NOW, so every reminder is in the future.
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)

S = NotificationState
K = NotificationKind


@pytest.fixture(autouse=True)
def clean_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def client_with_phone(practice):
    return ClientFactory(
        practice=practice,
        first_name="Robin",
        phone="+12025550143",
        sms_consent_at=timezone.now(),
        time_zone="America/Chicago",
    )


@pytest.fixture
def book(therapist, client_with_phone, django_capture_on_commit_callbacks):
    def _book(start=THURSDAY_10, client=None):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                therapist=therapist,
                session_type=therapist.session_types.get(),
                client=client or client_with_phone,
                start=start,
            )

    return _book


def rows(appointment):
    return sorted(
        (n.kind, n.channel, n.offset, n.state, n.appointment_sequence)
        for n in appointment.notifications.all()
    )


def run_scanner_at(instant, time_machine):
    time_machine.move_to(instant, tick=False)
    return dispatch_due_notifications.delay().get()


def test_a_booking_schedules_its_confirmation_and_reminders(now, book):
    appointment = book()
    assert rows(appointment) == sorted(
        [
            (K.CONFIRMATION, "email", timedelta(0), S.SENT, 0),
            (K.REMINDER, "email", timedelta(hours=48), S.SCHEDULED, 0),
            (K.REMINDER, "email", timedelta(hours=24), S.SCHEDULED, 0),
            (K.REMINDER, "sms", timedelta(hours=3), S.SCHEDULED, 0),
        ]
    )
    reminder = appointment.notifications.get(offset=timedelta(hours=24))
    assert reminder.due_at == THURSDAY_10 - timedelta(hours=24)


def test_the_confirmation_email_carries_a_calendar_request(now, book):
    appointment = book()
    (email,) = mail.outbox
    assert email.to == [appointment.client.email]
    assert "Thu 5 Mar at 09:00 CST" in email.subject  # the client is in Chicago (CST)
    # The same zone name the pages show, after the abbreviation.
    assert "Thursday 5 March 2026 at 09:00 (CST, America/Chicago)" in email.body
    # The therapist's own time, as it differs.
    assert "10:00 (EST, America/New_York) for" in email.body
    assert "https://booking.example/book/manage/" in email.body
    html = email.alternatives[0]
    assert html.mimetype == "text/html" and "Robin" in html.content
    name, content, mimetype = email.attachments[0]
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    calendar = parse_all(content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{appointment.public_id}@booking.example"
    assert event.decoded("DTSTART") == THURSDAY_10
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"


def test_a_failed_booking_schedules_nothing(now, book, practice):
    book()
    with pytest.raises(SlotUnavailable):
        book(client=ClientFactory(practice=practice))
    assert Notification.objects.count() == 4


def test_a_session_booked_inside_an_offset_skips_that_reminder(now, book):
    appointment = book(start=datetime(2026, 3, 3, 15, tzinfo=UTC))  # 27 hours away
    states = {(n.channel, n.offset): n.state for n in appointment.notifications.all()}
    assert states[("email", timedelta(hours=48))] == S.SKIPPED
    assert states[("email", timedelta(hours=24))] == S.SCHEDULED


def test_no_sms_reminder_for_a_client_without_a_phone(now, book, practice):
    appointment = book(client=ClientFactory(practice=practice, phone=""))
    assert not appointment.notifications.filter(channel="sms").exists()


def test_a_due_reminder_is_sent_once_by_the_scanner(now, book, time_machine):
    appointment = book()
    mail.outbox.clear()
    two_days_before, day_before = (
        THURSDAY_10 - timedelta(hours=48),
        THURSDAY_10 - timedelta(hours=24),
    )
    assert run_scanner_at(two_days_before - timedelta(minutes=1), time_machine) == 0
    assert run_scanner_at(two_days_before, time_machine) == 1
    assert run_scanner_at(two_days_before + timedelta(minutes=1), time_machine) == 0
    assert run_scanner_at(day_before, time_machine) == 1
    assert run_scanner_at(day_before + timedelta(minutes=1), time_machine) == 0
    assert len(mail.outbox) == 2
    reminder = appointment.notifications.get(offset=timedelta(hours=24))
    assert reminder.state == S.SENT
    assert reminder.provider_message_id == mail.outbox[1].extra_headers["Message-ID"]


def test_reminders_say_only_the_minimum(now, book, time_machine):
    appointment = book()
    mail.outbox.clear()
    run_scanner_at(THURSDAY_10 - timedelta(hours=3), time_machine)
    email = mail.outbox[-1]
    for secret in (appointment.therapist.display_name, appointment.session_type.name):
        assert secret not in email.body and secret not in email.subject
    assert "Robin" in email.body and appointment.practice.name in email.body
    # Sent three hours before, past the 24-hour deadline: no online change offered.
    assert "can no longer be changed online" in email.body
    (text,) = sms.outbox
    assert text["to"] == "+12025550143"
    assert appointment.practice.name not in text["body"]  # practices opt in to be named
    assert appointment.therapist.display_name not in text["body"]
    assert "Thursday 5 March 2026 at 09:00 (CST, America/Chicago)" in text["body"]


def test_a_duplicated_send_task_sends_one_email(now, book, time_machine):
    appointment = book()
    mail.outbox.clear()
    time_machine.move_to(THURSDAY_10 - timedelta(hours=24), tick=False)
    ids = notifications_claim_due()
    assert len(ids) == 2  # the 48 h and 24 h emails
    for notification_id in ids + ids:
        send_notification.delay(notification_id)
    assert len(mail.outbox) == 2
    assert appointment.notifications.filter(state=S.SENT).count() == 3  # with the confirmation


def test_cancel_after_the_scanner_claimed_but_before_send_sends_nothing(
    now, book, time_machine, django_capture_on_commit_callbacks
):
    appointment = book()
    time_machine.move_to(THURSDAY_10 - timedelta(hours=24), tick=False)
    ids = notifications_claim_due()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, actor=Actor.STAFF)
    mail.outbox.clear()
    assert [notification_send(notification_id=i) for i in ids] == ["noop", "noop"]
    assert mail.outbox == []
    assert set(Notification.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        S.CANCELLED
    }


def test_a_claimed_reminder_for_a_cancelled_session_is_called_off_at_send_time(
    now, book, time_machine
):
    """Even if the cancellation missed the row (e.g. it was already sending), the sender checks."""
    appointment = book()
    time_machine.move_to(THURSDAY_10 - timedelta(hours=24), tick=False)
    ids = notifications_claim_due()
    appointment.status = "cancelled"
    appointment.save(update_fields=["status"])
    mail.outbox.clear()
    assert notification_send(notification_id=ids[0]) == "cancelled"
    assert mail.outbox == []


def test_cancellation_calls_off_reminders_and_sends_a_calendar_cancel(
    now, book, django_capture_on_commit_callbacks
):
    appointment = book()
    uid = f"{appointment.public_id}@booking.example"
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
    reminders = appointment.notifications.filter(kind=K.REMINDER)
    assert set(reminders.values_list("state", flat=True)) == {S.CANCELLED}
    email = mail.outbox[-1]
    assert "cancelled" in email.subject
    calendar = parse_all(email.attachments[0][1])
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (uid, 1, "CANCELLED")


def test_reschedule_moves_reminders_and_sends_an_update_with_the_same_uid(
    now, book, django_capture_on_commit_callbacks, time_machine
):
    appointment = book()
    new_start = THURSDAY_10 + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, start=new_start, actor=Actor.CLIENT)
    old = appointment.notifications.filter(kind=K.REMINDER, appointment_sequence=0)
    new = appointment.notifications.filter(kind=K.REMINDER, appointment_sequence=1)
    assert set(old.values_list("state", flat=True)) == {S.CANCELLED}
    assert sorted(new.values_list("due_at", flat=True)) == [
        new_start - timedelta(hours=48),
        new_start - timedelta(hours=24),
        # 3 hours before Friday 09:00 CST is 06:00, inside the client's quiet
        # hours: the text goes the evening before, Thursday 21:00 CST.
        datetime(2026, 3, 6, 3, 0, tzinfo=UTC),
    ]
    update = mail.outbox[-1]
    assert "moved" in update.subject
    (event,) = parse_all(update.attachments[0][1]).walk("VEVENT")
    assert str(event["UID"]) == f"{appointment.public_id}@booking.example"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == new_start
    # The old 48-hour reminder's moment passes without a message.
    mail.outbox.clear()
    run_scanner_at(THURSDAY_10 - timedelta(hours=48), time_machine)
    assert mail.outbox == []


def test_a_reminder_is_never_sent_after_the_session_started(now, book, time_machine):
    book()
    mail.outbox.clear()
    time_machine.move_to(THURSDAY_10 + timedelta(minutes=5), tick=False)
    ids = notifications_claim_due()  # the scanner was down for days
    results = [notification_send(notification_id=i) for i in ids]
    assert results == ["cancelled"] * 3
    assert mail.outbox == [] and sms.outbox == []


class FlakySMTP(BaseEmailBackend):
    """An email backend whose server drops the connection a given number of times."""

    failures = 0

    def send_messages(self, messages):
        if FlakySMTP.failures > 0:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


@override_settings(EMAIL_BACKEND="tests.booking.test_notifications.FlakySMTP")
def test_a_transient_failure_retries_with_backoff_then_succeeds(now, book, time_machine):
    FlakySMTP.failures = 1
    appointment = book()  # the confirmation's first try fails
    confirmation = appointment.notifications.get(kind=K.CONFIRMATION)
    assert confirmation.state == S.SCHEDULED
    assert confirmation.attempts == 1
    assert confirmation.last_error == "SMTPServerDisconnected"
    assert confirmation.due_at == now + timedelta(minutes=1)
    assert run_scanner_at(now + timedelta(minutes=1), time_machine) == 1
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (S.SENT, 2)
    assert len(mail.outbox) == 1


@override_settings(
    EMAIL_BACKEND="tests.booking.test_notifications.FlakySMTP", NOTIFICATION_MAX_ATTEMPTS=3
)
def test_after_the_last_attempt_the_row_is_failed_and_visible(now, book, time_machine):
    FlakySMTP.failures = 10
    appointment = book()
    confirmation = appointment.notifications.get(kind=K.CONFIRMATION)
    run_scanner_at(now + timedelta(minutes=1), time_machine)  # attempt 2
    run_scanner_at(now + timedelta(minutes=3), time_machine)  # attempt 3, after 2 minutes
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (S.FAILED, 3)
    assert run_scanner_at(now + timedelta(hours=2), time_machine) == 0
    assert mail.outbox == []
    FlakySMTP.failures = 0


def test_a_row_stuck_in_sending_is_recovered_and_sent(now, book, time_machine, settings):
    settings.NOTIFICATION_STUCK_AFTER_SECONDS = 600
    appointment = book()
    time_machine.move_to(THURSDAY_10 - timedelta(hours=48), tick=False)
    (lost,) = notifications_claim_due()  # claimed, but its task never ran (broker lost it)
    mail.outbox.clear()
    assert run_scanner_at(THURSDAY_10 - timedelta(hours=48, minutes=-5), time_machine) == 0
    assert run_scanner_at(THURSDAY_10 - timedelta(hours=48, minutes=-11), time_machine) == 1
    assert len(mail.outbox) == 1
    assert appointment.notifications.get(pk=lost).state == S.SENT


def test_no_message_is_ever_scheduled_as_an_eta_or_countdown_task(
    now, book, time_machine, monkeypatch
):
    published, ids = [], []
    original = send_notifications.apply_async

    def recording(args, **kwargs):
        published.append(kwargs)
        ids.extend(args[0])
        return original(args, **kwargs)

    monkeypatch.setattr(send_notifications, "apply_async", recording)
    book()
    run_scanner_at(THURSDAY_10 - timedelta(hours=3), time_machine)
    assert len(ids) == 4  # confirmation, 48 h, 24 h, SMS
    assert not any({"eta", "countdown"} & set(kwargs) for kwargs in published)


# --- the therapist's daily agenda, through the same table -----------------------


@pytest.fixture
def agenda_therapist(therapist):
    therapist.time_zone = "America/Los_Angeles"
    therapist.daily_agenda_at = datetime.strptime("07:00", "%H:%M").time()  # noqa: DTZ007
    therapist.save()
    return therapist


def test_agendas_are_scheduled_once_per_day_at_the_therapists_local_time(now, agenda_therapist):
    from booking.notify.notifications import notifications_schedule_agendas

    # NOW is Monday 04:00 in Los Angeles: today's 07:00 PST (15:00 UTC) is still ahead.
    assert notifications_schedule_agendas(now=now) == 2
    assert notifications_schedule_agendas(now=now) == 0
    agendas = Notification.objects.filter(kind=K.AGENDA).order_by("agenda_date")
    assert [(str(a.agenda_date), a.due_at) for a in agendas] == [
        ("2026-03-02", datetime(2026, 3, 2, 15, tzinfo=UTC)),
        ("2026-03-03", datetime(2026, 3, 3, 15, tzinfo=UTC)),
    ]


def test_a_past_agenda_time_is_not_scheduled_late(agenda_therapist, time_machine):
    from booking.notify.notifications import notifications_schedule_agendas

    later = datetime(2026, 3, 2, 18, tzinfo=UTC)  # Monday 10:00 in Los Angeles
    assert notifications_schedule_agendas(now=later) == 1  # tomorrow's only


def test_the_agenda_lists_the_day_in_the_therapists_zone_with_initials_only(
    now, agenda_therapist, practice, time_machine, django_capture_on_commit_callbacks
):
    from booking.notify.notifications import notifications_schedule_agendas

    session_type = agenda_therapist.session_types.get()
    client = ClientFactory(practice=practice, first_name="Jamie", last_name="Doe")
    with django_capture_on_commit_callbacks(execute=True):
        for hour in (17, 19):  # Tuesday 09:00 and 11:00 PST
            appointment_book(
                therapist=agenda_therapist,
                session_type=session_type,
                client=client,
                start=datetime(2026, 3, 3, hour, tzinfo=UTC),
            )
    notifications_schedule_agendas(now=now)
    mail.outbox.clear()
    run_scanner_at(datetime(2026, 3, 3, 15, tzinfo=UTC), time_machine)
    (agenda,) = [m for m in mail.outbox if "Tuesday 3 March" in m.subject]
    assert agenda.to == [agenda_therapist.user.email]
    assert agenda.subject == "Your sessions on Tuesday 3 March 2026"
    assert "09:00–09:50  Individual session  J.D." in agenda.body
    assert "11:00–11:50  Individual session  J.D." in agenda.body
    assert "Jamie" not in agenda.body and "Doe" not in agenda.body
    assert "Jamie" not in agenda.alternatives[0].content


def test_an_agenda_is_called_off_when_the_therapist_turns_it_off(
    now, agenda_therapist, time_machine
):
    from booking.notify.notifications import notifications_schedule_agendas

    notifications_schedule_agendas(now=now)
    agenda_therapist.daily_agenda_at = None
    agenda_therapist.save()
    mail.outbox.clear()
    run_scanner_at(datetime(2026, 3, 2, 15, tzinfo=UTC), time_machine)
    assert mail.outbox == []
    assert Notification.objects.filter(kind=K.AGENDA, state=S.CANCELLED).count() == 1


def test_a_request_is_acknowledged_and_confirmed_when_staff_approve(
    now, therapist, client_with_phone, django_capture_on_commit_callbacks
):
    from booking.scheduling.services import appointment_approve

    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=client_with_phone,
            start=THURSDAY_10,
        )
    # The client's receipt (the therapist's "to approve" email: tests/staff/test_requests_…).
    assert [m.subject for m in mail.outbox if client_with_phone.email in m.to] == [
        "We received your request for Thu 5 Mar at 09:00 CST"
    ]
    assert not request.notifications.filter(kind=K.REMINDER).exists()
    with django_capture_on_commit_callbacks(execute=True):
        approved = appointment_approve(appointment=request)
    assert (approved.status, approved.sequence) == ("confirmed", 1)
    assert mail.outbox[-1].subject == "Your session on Thu 5 Mar at 09:00 CST is booked"
    (event,) = parse_all(mail.outbox[-1].attachments[0][1]).walk("VEVENT")
    assert (event["STATUS"], event["SEQUENCE"]) == ("CONFIRMED", 1)
    assert approved.notifications.filter(kind=K.REMINDER, state=S.SCHEDULED).count() == 3
