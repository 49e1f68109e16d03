"""Cancelling and moving ask first, and say which session they change."""

from datetime import timedelta

import pytest

from booking.models import AppointmentStatus
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book
from tests.booking.test_pages import TUESDAY_10
from tests.factories import ClientFactory


@pytest.fixture
def session(now, therapist, practice):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=ClientFactory(practice=practice, time_zone="America/New_York"),
        start=TUESDAY_10,
    )


def test_cancelling_asks_first_and_changes_nothing_until_confirmed(client, session):
    page = client.get(f"/book/manage/{manage_token(session)}/cancel/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cancel your session of Tuesday 3 March 2026, 10:00" in text
    assert 'name="reason"' in text and "Yes, cancel this session" in text
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CONFIRMED


def test_a_cancel_reason_is_kept_for_the_practice(client, session):
    response = client.post(
        f"/book/manage/{manage_token(session)}/cancel/", {"reason": "Feeling better"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        "Feeling better",
    )


def test_moving_asks_first_and_names_both_times(client, session):
    later = TUESDAY_10 + timedelta(hours=2)
    page = client.get(
        f"/book/manage/{manage_token(session)}/reschedule/", {"start": later.isoformat()}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tuesday 3 March 2026, 10:00" in text and "12:00" in text
    assert "Yes, move my session" in text
    session.refresh_from_db()
    assert session.start == TUESDAY_10


def test_a_garbled_time_to_move_to_is_a_readable_4xx(client, session):
    page = client.get(f"/book/manage/{manage_token(session)}/reschedule/", {"start": "soon"})
    assert 400 <= page.status_code < 500


def test_the_times_page_for_moving_says_it_moves_an_existing_session(client, session):
    token = manage_token(session)
    query = {
        "session_type": session.session_type_id,
        "therapist": session.therapist_id,
        "tz": "America/New_York",
        "reschedule": token,
    }
    text = client.get("/book/times/", query).content.decode()
    assert "Move your session of Tuesday 3 March 2026, 10:00" in text
    assert f'action="/book/manage/{token}/reschedule/"' in text and 'method="get"' in text
    assert "csrfmiddlewaretoken" not in text  # a GET form: no token in the address
