"""Staff cancel and move ask first, may leave the client unmessaged, and leave an action log."""

import re
from datetime import timedelta

from django.core import mail

from booking.models import (
    UNDO_WINDOW,
    AppointmentEvent,
    AppointmentStatus,
    Notification,
    NotificationState,
)
from booking.notify.tasks import dispatch_due_notifications
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_confirm_hold, appointment_hold
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in


def page_of(client, appointment, query=""):
    return client.get(f"/staff/appointments/{appointment.public_id}/{query}").content.decode()


def post(client, appointment, action, data):
    return client.post(f"/staff/appointments/{appointment.public_id}/{action}/", data, follow=True)


def client_messages(appointment, kind):
    return Notification.objects.filter(appointment=appointment, kind=kind).exclude(
        state=NotificationState.CANCELLED
    )


def test_cancel_first_asks_with_notify_ticked_and_an_optional_reason(client, team, booked, now):
    sign_in(client, team["receptionist"])
    page = page_of(client, booked)
    # The session page offers only a button that opens the question; nothing is posted yet.
    assert 'name="cancel" value="1"' in page and 'data-testid="cancel-check"' not in page
    asked = page_of(client, booked, "?cancel=1")
    form = re.search(r'<form[^>]*data-testid="cancel-check".*?</form>', asked, re.S).group(0)
    assert "Notify the client?" in form
    assert re.search(r'<input type="checkbox" id="cancel-notify" name="notify" checked', form)
    assert "Reason (optional)" in form and "Thursday 5 March at 10:00" in form
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CONFIRMED


def test_cancel_with_notify_unticked_schedules_no_message_to_the_client(
    client, team, booked, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, booked, "cancel", {"notify_asked": "1", "reason": "Phoned: unwell"})
    assert "The client was not sent a message." in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert not client_messages(booked, "cancellation").exists()
    # Its reminders are called off too: nothing left to reach the client.
    assert not Notification.objects.filter(
        appointment=booked, state=NotificationState.SCHEDULED
    ).exists()
    assert mail.outbox == []


def test_cancel_with_notify_ticked_tells_the_client_once_undo_has_lapsed(
    client, team, booked, now, time_machine, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, booked, "cancel", {"notify_asked": "1", "notify": "on"})
    assert client_messages(booked, "cancellation").count() == 1
    assert mail.outbox == []  # not while the change can still be undone
    time_machine.move_to(now + UNDO_WINDOW, tick=False)
    dispatch_due_notifications.delay().get()
    assert [m.to for m in mail.outbox] == [[booked.client.email]]


def test_a_one_click_move_asks_first_and_may_leave_the_client_unmessaged(
    client, team, booked, therapist, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    later = (THURSDAY_10 + timedelta(hours=2)).astimezone(therapist.zone).isoformat()
    asked = page_of(client, booked, f"?pick={later}")
    form = re.search(r'<form[^>]*data-testid="move-check".*?</form>', asked, re.S).group(0)
    assert re.search(r'<input type="checkbox" id="move-notify" name="notify" checked', form)
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10  # asking moved nothing
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, booked, "reschedule", {"start": later, "notify_asked": "1"})
    assert "The client was not sent a message." in response.content.decode()
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10 + timedelta(hours=2)
    live = Notification.objects.filter(appointment=booked).exclude(
        state__in=[NotificationState.CANCELLED, NotificationState.SENT]
    )
    assert not live.exists() and mail.outbox == []


def test_a_typed_move_with_notify_ticked_sends_the_update_and_new_reminders(
    client, team, booked, therapist, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    asked = page_of(client, booked, "?date=2026-03-06&time=11:00")
    assert 'id="move-notify" name="notify" checked' in asked
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            booked,
            "reschedule",
            {"date": "2026-03-06", "time": "11:00", "notify_asked": "1", "notify": "on"},
        )
    booked.refresh_from_db()
    assert client_messages(booked, "update").count() == 1
    assert Notification.objects.filter(
        appointment=booked, kind="reminder", appointment_sequence=booked.sequence
    ).exists()


def test_the_session_page_logs_who_did_what_and_when(
    client, team, booked, therapist, now, time_machine
):
    sign_in(client, team["therapist"])
    later = (THURSDAY_10 + timedelta(hours=2)).astimezone(therapist.zone).isoformat()
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    post(client, booked, "reschedule", {"start": later, "notify_asked": "1", "notify": "on"})
    client.logout()
    time_machine.move_to(now + timedelta(minutes=9), tick=False)
    client.post(f"/book/manage/{manage_token(booked)}/cancel/", {"reason": ""})
    events = list(AppointmentEvent.objects.filter(appointment=booked).order_by("at", "pk"))
    assert [(e.kind, e.by, e.by_client, e.client_notified) for e in events] == [
        ("booked", None, False, True),
        ("moved", team["therapist"], False, True),
        ("cancelled", None, True, True),
    ]
    assert events[1].previous_start == THURSDAY_10
    assert events[1].at == now + timedelta(minutes=5)
    sign_in(client, team["owner"])
    log = re.search(r'data-testid="action-log">(.*?)</ol>', page_of(client, booked), re.S).group(1)
    lines = [re.sub(r"\s+", " ", li) for li in re.findall(r"<li>(.*?)</li>", log, re.S)]
    therapist_name = team["therapist"].get_full_name() or team["therapist"].username
    # Times read in the therapist's zone (New York): now is 07:00 EST.
    assert "Mon 2 Mar 2026 07:05 EST</time> · Moved from Thu 5 Mar 10:00 EST" in lines[1]
    assert f"by {therapist_name} · client told" in lines[1]
    assert "Cancelled · by the client" in lines[2]


def test_the_staff_api_cancel_and_move_take_notify_false(
    client, team, booked, therapist, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.patch(
            f"/api/v1/staff/appointments/{booked.public_id}/",
            {"start": (THURSDAY_10 + timedelta(hours=2)).isoformat(), "notify": False},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.json()
        cancelled = client.post(
            f"/api/v1/staff/appointments/{booked.public_id}/cancel/",
            {"notify": False},
            content_type="application/json",
        )
    assert cancelled.status_code == 200, cancelled.json()
    assert not client_messages(booked, "update").exists()
    assert not client_messages(booked, "cancellation").exists()
    kinds = AppointmentEvent.objects.filter(appointment=booked, by=team["owner"])
    assert sorted(kinds.values_list("kind", "client_notified")) == [
        ("cancelled", False),
        ("moved", False),
    ]


def test_a_booking_from_the_public_pages_is_logged_as_the_clients(therapist, now):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=THURSDAY_10
    )
    booked = appointment_confirm_hold(
        hold=hold,
        client_details={
            "first_name": "Web",
            "last_name": "Booker",
            "email": "web.booker@example.org",
            "phone": "",
            "time_zone": "America/New_York",
        },
    )
    (event,) = AppointmentEvent.objects.filter(appointment=booked)
    assert (event.kind, event.by, event.by_client) == ("booked", None, True)
