"""Email leaves through a real SMTP server; its replies decide retry or give up.

RFC 5321: a 4xx reply is "try again later" (retried with the back-off), a 5xx
is permanent (the row is failed). A server that never answers times out after
EMAIL_TIMEOUT, and a send past the task's soft time limit is retried too.
"""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from booking.models import NotificationKind, NotificationState
from booking.notify import sms
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory
from tests.support.smtp_server import hanging_smtp_server, smtp_server

ROOT = Path(__file__).resolve().parents[2]
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
S = NotificationState


@pytest.fixture
def smtp(settings):
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def book(therapist, practice, django_capture_on_commit_callbacks):
    def _book():
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                therapist=therapist,
                session_type=therapist.session_types.get(),
                client=ClientFactory(practice=practice),
                start=THURSDAY_10,
            )

    return _book


def confirmation_of(appointment):
    return appointment.notifications.get(kind=NotificationKind.CONFIRMATION)


def test_a_confirmation_reaches_a_real_smtp_server_with_its_ics(now, book, smtp):
    appointment = book()
    (message,) = smtp.messages
    assert message["To"] == appointment.client.email
    (ics,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert b"BEGIN:VEVENT" in ics.get_payload(decode=True)
    assert confirmation_of(appointment).state == S.SENT


def test_a_451_on_rcpt_is_retried_with_the_backoff_then_delivered(now, book, smtp, time_machine):
    from booking.notify.tasks import dispatch_due_notifications

    smtp.refuse_rcpt("451 4.7.1 Greylisted, try again later")
    appointment = book()
    confirmation = confirmation_of(appointment)
    assert (confirmation.state, confirmation.attempts) == (S.SCHEDULED, 1)
    assert confirmation.last_error == "SMTPRecipientsRefused"
    assert confirmation.due_at == now + timedelta(minutes=1)
    assert smtp.messages == []
    time_machine.move_to(now + timedelta(minutes=1), tick=False)
    dispatch_due_notifications.delay()
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.attempts) == (S.SENT, 2)
    assert len(smtp.messages) == 1


def test_a_550_on_rcpt_is_permanent(now, book, smtp):
    smtp.refuse_rcpt("550 5.1.1 No such user")
    confirmation = confirmation_of(book())
    assert (confirmation.state, confirmation.attempts) == (S.FAILED, 1)
    assert smtp.messages == []


def test_a_server_that_never_answers_times_out_and_is_retried(now, book, settings):
    with hanging_smtp_server() as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
        confirmation = confirmation_of(book())
    assert confirmation.state == S.SCHEDULED
    assert confirmation.last_error in ("TimeoutError", "SMTPServerDisconnected")


class HungBackend(BaseEmailBackend):
    """What the worker sees when the task's soft time limit fires inside a send."""

    def send_messages(self, messages):
        raise SoftTimeLimitExceeded()


def test_a_send_past_the_soft_time_limit_is_a_transient_failure(now, book, settings):
    settings.EMAIL_BACKEND = "tests.booking.test_email_transport.HungBackend"
    confirmation = confirmation_of(book())
    assert (confirmation.state, confirmation.last_error) == (S.SCHEDULED, "SoftTimeLimitExceeded")
    assert confirmation.due_at == now + timedelta(minutes=1)


# --- settings from the environment ---------------------------------------------


def settings_from(env: dict) -> dict:
    """The real settings module, imported in a fresh process with this environment."""
    names = [
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "EMAIL_TIMEOUT",
        "ANYMAIL",
        "CELERY_TASK_SOFT_TIME_LIMIT",
        "CELERY_TASK_TIME_LIMIT",
    ]
    code = (
        "import json; from practice import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "ANYMAIL_"))}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DEBUG": "1"} | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_email_url_configures_smtp_with_starttls_and_a_login():
    got = settings_from({"EMAIL_URL": "smtp+tls://mailer:p%40ss%3Aword@smtp.example.org:587"})
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert (got["EMAIL_HOST_USER"], got["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss:word")
    assert (got["EMAIL_USE_TLS"], got["EMAIL_USE_SSL"]) == (True, False)


def test_email_url_smtp_ssl_defaults_to_port_465():
    got = settings_from({"EMAIL_URL": "smtp+ssl://smtp.example.org"})
    assert (got["EMAIL_PORT"], got["EMAIL_USE_SSL"], got["EMAIL_USE_TLS"]) == (465, True, False)


def test_email_backend_names_a_provider_with_anymail_settings_from_the_environment():
    got = settings_from(
        {
            "EMAIL_URL": "smtp://ignored.example.org",
            "EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
            "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
        }
    )
    assert got["EMAIL_BACKEND"] == "anymail.backends.postmark.EmailBackend"
    assert got["ANYMAIL"] == {
        "POSTMARK_SERVER_TOKEN": "server-token",
        "WEBHOOK_SECRET": "hook:secret",
    }


def test_timeouts_have_safe_defaults_and_can_be_set():
    got = settings_from({})
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (got["EMAIL_TIMEOUT"], got["CELERY_TASK_SOFT_TIME_LIMIT"]) == (20, 60)
    assert got["CELERY_TASK_TIME_LIMIT"] == 90
    got = settings_from({"EMAIL_TIMEOUT": "7", "CELERY_TASK_SOFT_TIME_LIMIT": "30"})
    assert (got["EMAIL_TIMEOUT"], got["CELERY_TASK_SOFT_TIME_LIMIT"]) == (7, 30)


# --- the operator's test messages -----------------------------------------------


def test_send_test_email_delivers_to_the_configured_server(db, smtp, capsys):
    call_command("send_test_email", "owner@example.org")
    (message,) = smtp.messages
    assert message["To"] == "owner@example.org"
    assert "test" in message["Subject"].lower()
    assert "owner@example.org" in capsys.readouterr().out


def test_send_test_email_fails_loudly_when_the_server_refuses(db, smtp):
    smtp.refuse_rcpt("550 5.1.1 No such user")
    with pytest.raises(CommandError, match="SMTPRecipientsRefused"):
        call_command("send_test_email", "nobody@example.org")


def test_send_test_sms_hands_a_message_to_the_sms_backend(db, capsys):
    sms.outbox.clear()
    call_command("send_test_sms", "+12025550143")
    (message,) = sms.outbox
    assert message["to"] == "+12025550143"
    assert message["id"] in capsys.readouterr().out
    sms.outbox.clear()


def test_send_test_sms_fails_loudly_on_a_provider_error(db, settings):
    settings.SMS_BACKEND = "tests.booking.test_email_transport.RefusingSMS"
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("send_test_sms", "+12025550143")


class RefusingSMS(sms.BaseBackend):
    def send(self, *, to, body):
        raise sms.SMSError("SMS provider answered HTTP 401", transient=False)
