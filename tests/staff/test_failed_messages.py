"""A message that could not be sent reaches the people who would call the client."""

import html
from datetime import timedelta

import pytest

from booking.models import Channel, Notification, NotificationKind, NotificationState
from booking.notify.dispatch import notifications_claim_due
from booking.scheduling.services import appointment_book
from clients.models import AuditEvent
from tests.factories import ClientFactory
from tests.staff.conftest import THURSDAY_10
from tests.support.smtp_server import smtp_server
from tests.support.staff import sign_in

SENTENCE = "We could not email Robin's confirmation — call them"


@pytest.fixture
def smtp(settings):
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def failed(now, therapist, practice, smtp, django_capture_on_commit_callbacks):
    """A confirmation the mail server refused for good (550): failed after one attempt."""
    smtp.refuse_rcpt("550 5.1.1 No such mailbox")
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
    confirmation = appointment.notifications.get(kind=NotificationKind.CONFIRMATION)
    assert confirmation.state == NotificationState.FAILED
    return confirmation


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("role", ["owner", "receptionist", "therapist"])
def test_today_tells_the_desk_and_the_clients_therapist_to_call(client, team, failed, role):
    sign_in(client, team[role])
    assert SENTENCE in page_text(client.get("/staff/"))


def test_another_therapist_does_not_see_it(client, team, failed):
    sign_in(client, team["colleague"])
    assert "We could not" not in page_text(client.get("/staff/"))


def test_the_clients_record_says_it_with_a_resend_button(client, team, failed):
    sign_in(client, team["receptionist"])
    text = page_text(client.get(f"/staff/clients/{failed.appointment.client.public_id}/"))
    assert SENTENCE in text
    assert f"/messages/{failed.pk}/resend/" in text


def test_resend_sends_a_fresh_message_audits_it_and_clears_the_notice(
    client, team, failed, smtp, django_capture_on_commit_callbacks
):
    sign_in(client, team["receptionist"])
    url = f"/staff/clients/{failed.appointment.client.public_id}/messages/{failed.pk}/resend/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"back": "today"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    fresh = Notification.objects.get(resend_of=failed)
    assert fresh.state == NotificationState.SENT
    assert smtp.notification_ids() == [fresh.pk]  # the refused one never arrived
    failed.refresh_from_db()
    assert failed.state == NotificationState.FAILED  # its error stays on record
    assert AuditEvent.objects.filter(
        what="message_resend", client_ref=failed.appointment.client_id, action="create"
    ).exists()
    text = page_text(client.get("/staff/"))
    assert "Sending Robin's confirmation again." in text
    assert "We could not" not in text
    assert client.post(url).status_code == 404  # nothing left to resend


def test_a_therapist_cannot_resend_another_therapists_clients_message(client, team, failed):
    sign_in(client, team["colleague"])
    url = f"/staff/clients/{failed.appointment.client.public_id}/messages/{failed.pk}/resend/"
    assert client.post(url).status_code == 404
    assert not Notification.objects.filter(resend_of=failed).exists()


def test_a_text_whose_send_never_finished_reads_may_not_have_not_could_not(
    client, team, now, therapist, practice, settings
):
    """Uncertain (it may have reached the phone): the desk must not read "could not"."""
    robin = ClientFactory(
        practice=practice, first_name="Robin", phone="+12025550143", sms_consent_at=now
    )
    appointment = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=robin,
        start=THURSDAY_10,
    )
    text = appointment.notifications.get(channel=Channel.SMS)
    # A worker started sending it and died before the provider's answer was recorded.
    Notification.objects.filter(pk=text.pk).update(
        state=NotificationState.SENDING, claimed_at=now, send_started_at=now, attempts=1
    )
    notifications_claim_due(
        now=now + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    )
    sign_in(client, team["receptionist"])
    page = page_text(client.get("/staff/"))
    assert "We may not have texted Robin's reminder — call them" in page
    assert "We could not text" not in page
