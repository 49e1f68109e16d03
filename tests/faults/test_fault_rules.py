"""The rules behind the fault tests, one at a time: what a send that never finished
becomes, and what a request answers when its database connection is gone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from booking.models import Channel, Notification, NotificationKind, NotificationState
from booking.notify.dispatch import UNCERTAIN_SMS, notification_send, notifications_claim_due
from booking.scheduling.services import appointment_book
from tests.conftest import IS_POSTGRES
from tests.factories import ClientFactory
from tests.faults.test_faults import own_backend_pid, terminate_app_connections

S = NotificationState
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def appointment(now, therapist, practice):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice, phone="+12025550143", sms_consent_at=now),
        start=THURSDAY_10,
    )


def started_and_abandoned(notification, at):
    """A worker began this send and died before recording the provider's answer."""
    Notification.objects.filter(pk=notification.pk).update(
        state=S.SENDING, claimed_at=at, send_started_at=at, attempts=1
    )


def test_a_text_whose_send_never_finished_is_not_repeated_but_marked_failed(
    appointment, now, settings
):
    text = appointment.notifications.get(channel=Channel.SMS)
    started_and_abandoned(text, now)
    later = now + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    assert text.pk not in notifications_claim_due(now=later)
    text.refresh_from_db()
    assert (text.state, text.last_error) == (S.FAILED, UNCERTAIN_SMS)


def test_an_email_whose_send_never_finished_goes_again_with_the_same_message_id(
    appointment, now, settings
):
    reminder = appointment.notifications.get(
        kind=NotificationKind.REMINDER, offset=timedelta(hours=24)
    )
    started_and_abandoned(reminder, now)
    later = now + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    assert reminder.pk in notifications_claim_due(now=later)
    mail.outbox.clear()
    assert notification_send(notification_id=reminder.pk, now=later) == "sent"
    reminder.refresh_from_db()
    (email,) = mail.outbox
    assert email.extra_headers["Message-ID"] == reminder.provider_message_id
    stamp = int(reminder.created_at.timestamp())
    assert reminder.provider_message_id == f"<{stamp}.n{reminder.pk}@booking.example>"
    assert reminder.provider_accepted_at == reminder.sent_at is not None
    assert reminder.attempts == 2


def test_a_claim_that_never_started_is_simply_sent_again(appointment, now, settings):
    reminder = appointment.notifications.get(
        kind=NotificationKind.REMINDER, offset=timedelta(hours=48)
    )
    Notification.objects.filter(pk=reminder.pk).update(state=S.SENDING, claimed_at=now)
    later = now + timedelta(seconds=settings.NOTIFICATION_STUCK_AFTER_SECONDS + 1)
    assert reminder.pk in notifications_claim_due(now=later)


@pytest.mark.skipif(
    not IS_POSTGRES,
    reason="needs PostgreSQL (pg_terminate_backend kills the connection): set DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/therapists/", "application/json"), ("/book/", "text/html; charset=utf-8")],
)
def test_a_request_whose_database_connection_died_answers_503_with_retry_after(
    client, practice, path, content_type
):
    """The test client skips Django's connection housekeeping: the dead connection is used."""
    pid = own_backend_pid()
    assert terminate_app_connections(keep=[]) >= 1
    assert pid not in _backend_pids()
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == content_type
    if content_type == "application/json":
        assert response.json()["code"] == "unavailable"
    else:
        assert practice.name in response.content.decode()  # the practice's own page
    assert client.get(path).status_code == 200  # the next request has a fresh connection


def _backend_pids():
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", user=db["USER"] or "postgres", dbname=db["NAME"]
    ) as other:
        return {row[0] for row in other.execute("SELECT pid FROM pg_stat_activity")}
