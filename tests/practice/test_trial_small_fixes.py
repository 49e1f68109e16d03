"""The trial's small findings: the page icon, a form's address opened as a page, a bad
query's log line, the staff header's name, phone numbers, the new client's zone, and
one way of naming a client's zone."""

import io
import json
import logging
from datetime import UTC, datetime

import pytest
from django.conf import settings

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from practice.logging import ContextFilter
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory, UserFactory
from tests.support.staff import make_staff, sign_in

ICON = settings.BASE_DIR / "static" / "booking" / "favicon.ico"


@pytest.fixture
def log_output():
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if any(isinstance(f, ContextFilter) for f in h.filters)]
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    yield buffer
    handler.setStream(old_stream)


def test_favicon_ico_is_served_and_every_page_links_an_icon(client, practice):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content == ICON.read_bytes() and response.content[:4] == b"\0\0\1\0"
    assert "max-age" in response["Cache-Control"]
    assert 'rel="icon"' in client.get("/book/").content.decode()


def test_the_hold_address_opened_as_a_page_goes_to_the_start(client, practice):
    response = client.get("/book/hold/")
    assert response.status_code == 302 and response["Location"] == "/book/"


def test_any_other_bare_405_is_the_practices_page_and_keeps_allow(client, practice):
    response = client.get("/staff/logout/")
    assert response.status_code == 405
    text = response.content.decode()
    assert "This page cannot be opened directly" in text and 'href="/book/"' in text
    assert "POST" in response["Allow"]


def test_a_bad_date_in_the_query_logs_one_line_without_a_traceback(
    client, therapist, session_type, settings, log_output
):
    settings.DEBUG = False
    query = {"session_type": session_type.pk, "start": "2024-02-30"}
    assert client.get("/book/times/", query).status_code == 400
    written = log_output.getvalue()
    (line,) = [json.loads(x) for x in written.splitlines() if "Bad Request" in x]
    assert line["level"] == "WARNING" and line["message"] == "Bad Request: /book/times/"
    assert "exc_info" not in line and "Traceback" not in written and "2024-02-30" not in written


def test_the_staff_header_names_someone_without_a_first_or_last_name(client, practice):
    therapist = TherapistFactory(
        practice=practice,
        display_name="Dr Priya Raman",
        user=UserFactory(first_name="", last_name=""),
    )
    user = make_staff(practice, StaffRole.THERAPIST, therapist=therapist)
    sign_in(client, user)
    page = client.get("/staff/").content.decode()
    assert "Dr Priya Raman (Therapist)" in page


def test_phone_numbers_on_staff_pages_read_nationally_and_call(client, practice):
    record = ClientFactory(practice=practice, phone="+16175550199")
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    for path in (f"/staff/clients/{record.public_id}/", "/staff/clients/"):
        page = client.get(path).content.decode()
        assert '<a href="tel:+16175550199">(617) 555-0199</a>' in page, path
        assert ">+16175550199<" not in page


def test_the_new_client_form_starts_in_the_practices_zone(client, practice):
    sign_in(client, make_staff(practice, StaffRole.RECEPTIONIST))
    page = client.get("/staff/clients/new/").content.decode()
    # Shown by its friendly name (the field takes that or the IANA name).
    assert 'id="id_time_zone"' in page and 'value="Eastern Time — New York' in page
    assert practice.time_zone == "America/New_York"


def test_the_cancel_page_names_the_zone_once_not_after_the_therapist(
    client, practice, session_type, now
):
    therapist = TherapistFactory(practice=practice, offers=[session_type], display_name="Alex")
    booked = appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice, time_zone="America/Chicago"),
        start=datetime(2026, 3, 3, 15, tzinfo=UTC),
    )
    page = client.get(f"/book/manage/{manage_token(booked)}/cancel/").content.decode()
    assert "Alex (America/Chicago)" not in page
    assert "09:00 (America/Chicago)" in page  # the time still names its zone
