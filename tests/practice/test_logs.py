"""Logs are JSON lines with a request id, and never hold personal data or tokens."""

import io
import json
import logging
from datetime import UTC, datetime

import pytest

from booking.feeds import feeds
from booking.models import FeedKind
from practice.logging import ContextFilter

NAME, SURNAME = "Quinn", "Privacytest"
EMAIL, PHONE = "quinn.privacytest@example.com", "+12025550199"


@pytest.fixture
def log_output():
    """What the real console handler writes, at DEBUG level, for the test's duration."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if any(isinstance(f, ContextFilter) for f in h.filters)]
    buffer = io.StringIO()
    old_stream, old_level = handler.setStream(buffer), root.level
    root.setLevel(logging.DEBUG)
    yield buffer
    handler.setStream(old_stream)
    root.setLevel(old_level)


def test_a_full_booking_flow_logs_no_personal_data_and_no_tokens(
    client, now, therapist, log_output, django_capture_on_commit_callbacks
):
    session_type = therapist.session_types.get()
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            "/api/v1/bookings/",
            {
                "therapist": therapist.pk,
                "session_type": session_type.pk,
                "start": datetime(2026, 3, 3, 15, tzinfo=UTC).isoformat(),
                "timezone": "Europe/Berlin",
                "client": {
                    "first_name": NAME,
                    "last_name": SURNAME,
                    "email": EMAIL,
                    "phone": PHONE,
                },
            },
            content_type="application/json",
        )
    assert booked.status_code == 201
    token = booked.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/book/manage/{token}/").status_code == 200
    assert client.get(f"/book/manage/{token}x/").status_code == 404  # logged as a 404
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            f"/api/v1/bookings/{token}/reschedule/",
            {"start": "2026-03-03T11:00:00-05:00"},
            content_type="application/json",
        )
    assert moved.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/bookings/{token}/cancel/").status_code == 200
    assert client.post(f"/api/v1/bookings/{token}/cancel/").status_code == 409  # logged
    feed = feeds.feed_get_or_create(
        kind=FeedKind.THERAPIST, practice=therapist.practice, therapist=therapist
    )
    feed_url = feeds.feed_urls(feed)["https"]
    feed_token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(f"/calendar/{feed_token}x.ics").status_code == 404  # logged

    text = log_output.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line["message"] == "Not Found: /book/manage/<token>/" for line in lines)
    assert all(line["request_id"] for line in lines)
    for secret in (
        NAME,
        SURNAME,
        EMAIL,
        PHONE,
        "2025550199",
        token,
        feed_token,
    ):
        assert secret not in text, secret


def test_each_response_carries_its_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-from-proxy")
    assert response["X-Request-ID"] == "abc12345-from-proxy"
    made_up = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(made_up["X-Request-ID"]) == 32


def test_an_intake_flow_logs_no_personal_data_answers_or_tokens(
    client, now, therapist, intake_practice, log_output, django_capture_on_commit_callbacks
):
    from booking.models import Appointment
    from clients.intake.services import current_consents
    from clients.intake.tokens import intake_token
    from clients.models import Intake
    from practice.models import StaffRole
    from tests.support.identity import confirm_email
    from tests.support.staff import make_staff, sign_in

    answer = "Grief after losing my brother Ellis"
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            "/api/v1/bookings/",
            {
                "therapist": therapist.pk,
                "session_type": therapist.session_types.get().pk,
                "start": datetime(2026, 3, 4, 15, tzinfo=UTC).isoformat(),
                "timezone": "America/New_York",
                "client": {"first_name": NAME, "last_name": SURNAME, "email": EMAIL},
            },
            content_type="application/json",
        )
    assert booked.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = confirm_email(client, Appointment.objects.get(public_id=booked.json()["id"]))
    assert confirmed.status_code == 302
    confirm_token = confirmed.request["PATH_INFO"].split("/")[-2]
    assert client.get(f"/book/confirm/{confirm_token[:-4]}xyz/").status_code == 404  # logged
    intake = Intake.objects.get(client__email=EMAIL)
    token = intake_token(intake)
    link = f"/intake/{token}/"
    about = {
        "first_name": NAME,
        "last_name": SURNAME,
        "date_of_birth": "1988-02-03",
        "phone": PHONE,
        "emergency_contact_name": "Ellis Privacytest",
        "emergency_contact_phone": "+12025550188",
        "action": "next",
    }
    assert client.post(link + "about/", about).status_code == 302
    assert client.post(link + "about/", about | {"phone": "12"}).status_code == 400  # logged
    form = {"reason": answer, "previous_therapy": "yes", "wellbeing": "3", "action": "next"}
    assert client.post(link + "questions/", form).status_code == 302
    phq9 = {f"phq9_{i}": "1" for i in range(9)}
    gad7 = {f"gad7_{i}": "2" for i in range(7)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link + "wellbeing/", phq9 | gad7 | {"action": "next"})
    consents = {f"agree_{v.pk}": "1" for v in current_consents(intake_practice)}
    client.post(link + "consent/", consents | {"typed_name": f"{NAME} {SURNAME}"})
    assert client.post(link + "submit/").status_code == 302
    assert client.get(link[:-3] + "xyz/").status_code == 404  # logged, token redacted
    sign_in(client, make_staff(intake_practice, StaffRole.RECEPTIONIST))
    intake.refresh_from_db()
    assert client.get(f"/staff/clients/?q={SURNAME}").status_code == 200
    assert client.get(f"/staff/clients/{intake.client.public_id}/").status_code == 200

    text = log_output.getvalue()
    assert "Not Found: /intake/<token>/" in text
    assert "Not Found: /book/confirm/<token>/" in text
    secrets = (NAME, SURNAME, EMAIL, PHONE, "Ellis", answer, token, token[:20], confirm_token[:20])
    for secret in secrets:
        assert secret not in text, secret


def test_a_logged_traceback_is_redacted_too(log_output):
    token = "S3cr3tT0kenValue-abcdefghijklmnop"
    try:
        {}[f"/book/manage/{token}/"]
    except KeyError:
        logging.getLogger("tests").exception("Lookup failed")
    text = log_output.getvalue()
    assert "KeyError: '/book/manage/<token>/'" in text
    assert token not in text
