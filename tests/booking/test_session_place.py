"""The session's place (issue 19): in person, the practice's address with an OpenStreetMap
search link (no embedded map, no third-party script); telehealth, "by video". On the times
page, the details page, the manage page and the confirmation email."""

import pytest
from django.core import mail

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book, appointment_hold
from booking.tokens import manage_token_for
from tests.booking.test_pages import TUESDAY_10
from tests.factories import ClientFactory

ADDRESS = "12 Harbour Road, Lakeside"
# Written out by hand: spaces as "+", the comma escaped.
MAP = "https://www.openstreetmap.org/search?query=12+Harbour+Road%2C+Lakeside"


@pytest.fixture
def at(practice, therapist):
    practice.address = ADDRESS
    practice.save()
    return therapist.session_types.get()


def pages(client, therapist, session_type, django_capture_on_commit_callbacks):
    """The times page, the details page of a hold, the manage page and the confirmation."""
    times = client.get(
        "/book/times/",
        {"session_type": session_type.pk, "therapist": therapist.pk, "tz": "America/New_York"},
    ).content.decode()
    region = "US-NY" if session_type.modality == "telehealth" else ""
    hold = appointment_hold(
        therapist=therapist, session_type=session_type, start=TUESDAY_10, client_region=region
    )
    details = client.get(f"/book/details/{manage_token_for(hold.public_id)}/").content.decode()
    hold.delete()
    with django_capture_on_commit_callbacks(execute=True):
        booked = appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=therapist.practice),
            start=TUESDAY_10,
            client_region=region,
        )
    manage = client.get(f"/book/manage/{manage_token(booked)}/").content.decode()
    (email,) = mail.outbox
    return {"times": times, "details": details, "manage": manage}, email


def test_an_in_person_session_names_the_address_with_a_map_link(
    client, now, therapist, at, django_capture_on_commit_callbacks
):
    shown, email = pages(client, therapist, at, django_capture_on_commit_callbacks)
    for name, text in shown.items():
        assert ADDRESS in text, name
        assert f'href="{MAP.replace("&", "&amp;")}"' in text, name
        assert "openstreetmap.org/export" not in text and "<iframe" not in text, name
        assert "By video" not in text, name
    assert ADDRESS in email.body and f"Map: {MAP}" in email.body
    html = email.alternatives[0][0]
    assert f'href="{MAP}"' in html and ADDRESS in html


def test_a_telehealth_session_says_video_and_no_address(
    client, now, therapist, at, django_capture_on_commit_callbacks
):
    at.modality = "telehealth"
    at.save()
    therapist.licence_jurisdictions = "US-NY"  # the client's zone's region (the licence check)
    therapist.save()
    shown, email = pages(client, therapist, at, django_capture_on_commit_callbacks)
    for name, text in shown.items():
        assert "By video: the link arrives by email before your session." in text, name
        assert ADDRESS not in text and "openstreetmap" not in text, name
    assert "By video" in email.body and ADDRESS not in email.body and "Map:" not in email.body


def test_without_an_address_the_practice_is_named_and_no_map_offered(
    client, now, therapist, practice, django_capture_on_commit_callbacks
):
    shown, email = pages(
        client, therapist, therapist.session_types.get(), django_capture_on_commit_callbacks
    )
    assert practice.name in shown["manage"]
    assert all("openstreetmap" not in text for text in shown.values())
    assert "Map:" not in email.body
