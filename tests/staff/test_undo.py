"""Undo for a few seconds after a staff cancel or move: the client's message waits for the
undo window (through the notification table), an undo calls it off and puts the session back
if its time is still free, and after the window Undo is refused in plain words."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from booking.feeds import feeds
from booking.models import (
    UNDO_WINDOW,
    AppointmentEvent,
    AppointmentStatus,
    FeedKind,
    Notification,
    NotificationState,
)
from booking.notify.tasks import dispatch_due_notifications
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in


def post(client, appointment, action, data=None):
    return client.post(
        f"/staff/appointments/{appointment.public_id}/{action}/", data or {}, follow=True
    )


def cancel(client, appointment, **extra):
    return post(client, appointment, "cancel", {"notify_asked": "1", "notify": "on", **extra})


def undo_form(page: str) -> dict:
    """The Undo button in the success message: its form's action and hidden fields."""
    form = re.search(r'<form[^>]*data-testid="undo"[^>]*>.*?</form>', page, re.S)
    assert form, "no Undo button in the page"
    html = form.group(0)
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    action = re.search(r'action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    fields.pop("csrfmiddlewaretoken")
    return {"action": action, "fields": fields}


def scanner_at(instant, time_machine):
    time_machine.move_to(instant, tick=False)
    return dispatch_due_notifications.delay().get()


def test_the_undo_window_is_a_few_seconds():
    assert timedelta(seconds=10) <= UNDO_WINDOW <= timedelta(seconds=60)


def test_a_staff_cancel_tells_the_client_once_when_the_undo_window_has_passed(
    client, team, booked, now, time_machine, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, booked)
    assert mail.outbox == []
    notice = Notification.objects.get(appointment=booked, kind="cancellation")
    assert notice.due_at == now + UNDO_WINDOW
    assert scanner_at(now + UNDO_WINDOW - timedelta(seconds=1), time_machine) == 0
    assert mail.outbox == []
    scanner_at(now + UNDO_WINDOW, time_machine)
    assert [m.to for m in mail.outbox] == [[booked.client.email]]
    scanner_at(now + UNDO_WINDOW + timedelta(minutes=5), time_machine)
    assert len(mail.outbox) == 1


def test_undo_of_a_cancel_restores_the_session_and_nothing_reaches_the_client(
    client, team, booked, now, time_machine, django_capture_on_commit_callbacks
):
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=booked.practice, therapist=booked.therapist
    )
    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = cancel(client, booked, reason="Phoned: unwell").content.decode()
    assert "Cancelled." in page
    undo = undo_form(page)
    booked.refresh_from_db()
    cancelled_sequence = booked.sequence
    etag_cancelled, _ = feeds.feed_validators(feed, now + timedelta(seconds=5))
    time_machine.move_to(now + timedelta(seconds=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(undo["action"], undo["fields"], follow=True).content.decode()
    assert "Undone" in done and "The client was sent nothing" in done
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CONFIRMED and booked.start == THURSDAY_10
    assert booked.cancelled_at is None and booked.cancel_reason == ""
    assert booked.sequence == cancelled_sequence + 1
    assert feeds.feed_validators(feed, now + timedelta(seconds=5))[0] != etag_cancelled
    notice = Notification.objects.get(appointment=booked, kind="cancellation")
    assert notice.state == NotificationState.CANCELLED
    # Its reminders are back, for the session as it is now.
    assert Notification.objects.filter(
        appointment=booked,
        kind="reminder",
        appointment_sequence=booked.sequence,
        state=NotificationState.SCHEDULED,
    ).exists()
    last = AppointmentEvent.objects.filter(appointment=booked).last()
    assert (last.kind, last.by, last.client_notified) == ("undone", team["receptionist"], False)
    # The cancel it undid no longer reads "client told": its message never left.
    cancelled = AppointmentEvent.objects.get(appointment=booked, kind="cancelled")
    assert cancelled.client_notified is False
    scanner_at(now + UNDO_WINDOW + timedelta(minutes=1), time_machine)
    assert mail.outbox == []
    log = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert "Undone" in re.search(r'data-testid="action-log">(.*?)</ol>', log, re.S).group(1)


def test_undo_of_a_move_moves_it_back_and_calls_off_the_update(
    client, team, booked, therapist, now, time_machine, django_capture_on_commit_callbacks
):
    sign_in(client, team["therapist"])
    later = (THURSDAY_10 + timedelta(hours=2)).astimezone(therapist.zone).isoformat()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = post(
            client, booked, "reschedule", {"start": later, "notify_asked": "1", "notify": "on"}
        ).content.decode()
    assert "Moved." in page
    update = Notification.objects.get(appointment=booked, kind="update")
    assert update.due_at == now + UNDO_WINDOW
    undo = undo_form(page)
    time_machine.move_to(now + UNDO_WINDOW - timedelta(seconds=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(undo["action"], undo["fields"], follow=True)
    booked.refresh_from_db()
    assert booked.start == THURSDAY_10 and booked.status == AppointmentStatus.CONFIRMED
    update.refresh_from_db()
    assert update.state == NotificationState.CANCELLED
    last = AppointmentEvent.objects.filter(appointment=booked).last()
    assert (last.kind, last.by, last.previous_start) == (
        "undone",
        team["therapist"],
        THURSDAY_10 + timedelta(hours=2),
    )
    scanner_at(now + timedelta(minutes=2), time_machine)
    assert mail.outbox == []


def test_undo_of_a_cancel_whose_time_was_taken_says_so_and_changes_nothing(
    client, team, booked, therapist, practice, now, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    page = cancel(client, booked).content.decode()
    undo = undo_form(page)
    appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice),
        start=THURSDAY_10,
    )
    answer = client.post(undo["action"], undo["fields"], follow=True).content.decode()
    assert "taken" in answer and "still cancelled" in answer
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    notice = Notification.objects.get(appointment=booked, kind="cancellation")
    assert notice.state == NotificationState.SCHEDULED  # the client will still be told
    assert not AppointmentEvent.objects.filter(appointment=booked, kind="undone").exists()


def test_undo_after_the_window_is_refused_in_plain_words(
    client, team, booked, now, time_machine, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    page = cancel(client, booked).content.decode()
    undo = undo_form(page)
    time_machine.move_to(now + UNDO_WINDOW, tick=False)
    answer = client.post(undo["action"], undo["fields"], follow=True).content.decode()
    assert "Too late to undo" in answer
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED


def test_only_the_latest_change_can_be_undone(client, team, booked, therapist, now):
    sign_in(client, team["receptionist"])
    later = (THURSDAY_10 + timedelta(hours=2)).astimezone(therapist.zone).isoformat()
    moved = post(client, booked, "reschedule", {"start": later, "notify_asked": "1"})
    first_undo = undo_form(moved.content.decode())
    cancel(client, booked)
    answer = client.post(first_undo["action"], first_undo["fields"], follow=True)
    assert "changed since" in answer.content.decode()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED


def test_undo_is_a_post_and_another_practice_cannot_reach_it(client, team, booked, now):
    sign_in(client, team["receptionist"])
    undo = undo_form(cancel(client, booked).content.decode())
    assert client.get(undo["action"]).status_code == 405
    sign_in(client, team["colleague"])  # a therapist who does not see this session
    assert client.post(undo["action"], undo["fields"]).status_code == 404
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED


def test_the_staff_api_undoes_the_latest_change_within_the_window(
    client, team, booked, now, time_machine
):
    sign_in(client, team["owner"])
    api = f"/api/v1/staff/appointments/{booked.public_id}"
    assert client.post(f"{api}/cancel/", {}, content_type="application/json").status_code == 200
    undone = client.post(f"{api}/undo/", {}, content_type="application/json")
    assert undone.status_code == 200, undone.json()
    assert undone.json()["status"] == "confirmed"
    assert client.post(f"{api}/cancel/", {}, content_type="application/json").status_code == 200
    time_machine.move_to(now + UNDO_WINDOW + timedelta(seconds=1), tick=False)
    late = client.post(f"{api}/undo/", {}, content_type="application/json")
    assert late.status_code == 409 and late.json()["code"] == "not_changeable"
    assert "Too late to undo" in late.json()["detail"]


def test_a_cancelled_request_still_waiting_for_its_email_link_is_not_brought_back(
    team, therapist, now
):
    from booking.exceptions import NotChangeable
    from booking.scheduling.services import (
        Actor,
        appointment_book_public,
        appointment_cancel,
        appointment_undo,
    )

    unproven = appointment_book_public(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        start=THURSDAY_10,
        client_details={
            "first_name": "Web",
            "last_name": "Booker",
            "email": "web.booker@example.org",
            "phone": "",
            "time_zone": "America/New_York",
        },
    )
    appointment_cancel(
        appointment=unproven, actor=Actor.STAFF, by=team["receptionist"], undoable=True
    )
    with pytest.raises(NotChangeable, match="waiting for the person to confirm their email"):
        appointment_undo(appointment=unproven, by=team["receptionist"])
    unproven.refresh_from_db()
    assert unproven.status == AppointmentStatus.CANCELLED


@pytest.fixture
def published(monkeypatch):
    """What reaches the broker for held-back messages: (session id, eta)."""
    from booking.notify import tasks

    sent = []
    monkeypatch.setattr(
        tasks.send_session_messages_due,
        "apply_async",
        lambda args, eta, retry: sent.append((args[0], eta)),
    )
    return sent


def test_the_held_back_notice_goes_as_the_window_closes_not_at_the_next_scan(
    client, team, booked, now, time_machine, published, django_capture_on_commit_callbacks
):
    """Without this the notice waited for the scanner's next pass: 20 to 80 seconds."""
    from booking.notify.tasks import send_session_messages_due

    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, booked)
    assert published == [(booked.pk, now + UNDO_WINDOW)]
    time_machine.move_to(now + UNDO_WINDOW, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_messages_due(booked.pk) == 1
    assert [m.to for m in mail.outbox] == [[booked.client.email]]
    # The scanner's next pass finds nothing left to send: once.
    scanner_at(now + UNDO_WINDOW + timedelta(minutes=2), time_machine)
    assert len(mail.outbox) == 1


def test_an_undone_change_leaves_the_held_back_task_nothing_to_send(
    client, team, booked, now, time_machine, published, django_capture_on_commit_callbacks
):
    from booking.notify.tasks import send_session_messages_due

    sign_in(client, team["receptionist"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = cancel(client, booked).content.decode()
    undo = undo_form(page)
    time_machine.move_to(now + timedelta(seconds=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(undo["action"], undo["fields"], follow=True)
    time_machine.move_to(now + UNDO_WINDOW, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_messages_due(booked.pk) == 0
    scanner_at(now + UNDO_WINDOW + timedelta(minutes=2), time_machine)
    assert mail.outbox == []
