"""An HTTP email provider (django-anymail) and its delivery webhook, recorded on the row."""

import base64
import json
from datetime import UTC, datetime

import pytest

from booking.models import NotificationKind, NotificationState
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory

THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def provider(settings):
    """Anymail's test backend stands in for Postmark's API; the webhook is Postmark's."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}


@pytest.fixture
def confirmation(now, provider, therapist, practice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=practice),
            start=THURSDAY_10,
        )
    return appointment.notifications.get(kind=NotificationKind.CONFIRMATION)


def postmark_event(client, payload, credentials="hook:s3cret"):
    auth = base64.b64encode(credentials.encode()).decode()
    return client.post(
        "/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def test_the_providers_message_id_is_stored_when_sent(confirmation):
    assert confirmation.state == NotificationState.SENT
    assert confirmation.provider_message_id
    assert not confirmation.provider_message_id.startswith("<")  # the provider's, not ours


def test_a_bounce_is_recorded_on_the_notification(client, confirmation):
    response = postmark_event(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": confirmation.provider_message_id,
            "Email": "robin@example.org",
            "BouncedAt": "2026-03-02T12:01:00Z",
            "ID": 42,
        },
    )
    assert response.status_code == 200
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == "bounced"
    assert confirmation.delivery_status_at == datetime(2026, 3, 2, 12, 1, tzinfo=UTC)


def test_an_older_event_does_not_overwrite_a_newer_one(client, confirmation):
    delivered = {
        "RecordType": "Delivery",
        "MessageID": confirmation.provider_message_id,
        "Recipient": "robin@example.org",
        "DeliveredAt": "2026-03-02T12:05:00Z",
    }
    postmark_event(client, delivered)
    postmark_event(client, delivered | {"DeliveredAt": "2026-03-02T12:00:30Z"})
    confirmation.refresh_from_db()
    assert confirmation.delivery_status_at == datetime(2026, 3, 2, 12, 5, tzinfo=UTC)


def test_the_webhook_refuses_a_caller_without_the_secret(client, confirmation):
    response = postmark_event(
        client,
        {"RecordType": "Delivery", "MessageID": confirmation.provider_message_id},
        credentials="hook:wrong",
    )
    assert response.status_code == 400
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == ""


def test_without_a_webhook_secret_the_webhook_is_not_there(client, settings, confirmation):
    """Anymail itself would accept an unauthenticated event: a forged bounce must not land."""
    settings.ANYMAIL = {}
    response = postmark_event(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": confirmation.provider_message_id,
            "Email": "robin@example.org",
            "BouncedAt": "2026-03-02T12:01:00Z",
            "ID": 43,
        },
    )
    assert response.status_code == 404
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == ""


def test_a_wrong_secret_is_refused_and_records_nothing(client, confirmation):
    response = postmark_event(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "MessageID": confirmation.provider_message_id,
            "Email": "robin@example.org",
            "BouncedAt": "2026-03-02T12:01:00Z",
            "ID": 44,
        },
        credentials="hook:guessed",
    )
    assert response.status_code == 400
    confirmation.refresh_from_db()
    assert confirmation.delivery_status == ""


def test_the_deploy_check_warns_about_a_provider_without_a_webhook_secret(settings):
    from django.core.checks import run_checks

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}
    ids = [e.id for e in run_checks(include_deployment_checks=True)]
    assert "practice.W001" in ids
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": "hook:s3cret"}
    ids = [e.id for e in run_checks(include_deployment_checks=True)]
    assert "practice.W001" not in ids
