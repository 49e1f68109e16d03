"""The client's reason for cancelling reaches the staff: session page, Today, record, API."""

from datetime import datetime, timedelta

import pytest

from booking.selectors import manage_token
from booking.services import Actor, appointment_cancel
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

REASON = "My shift pattern changed; I will book again next month."


def cancel_on_the_manage_page(client, appointment, reason=REASON):
    response = client.post(f"/book/manage/{manage_token(appointment)}/cancel/", {"reason": reason})
    assert response.status_code == 302
    appointment.refresh_from_db()
    return appointment


def test_the_session_page_shows_when_it_was_cancelled_and_the_reason(client, team, booked, now):
    cancel_on_the_manage_page(client, booked)
    sign_in(client, team["receptionist"])
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert "Cancelled" in page and f"“{REASON}”" in page


def test_a_cancellation_without_a_reason_says_none_was_given(client, team, booked, now):
    appointment_cancel(appointment=booked, actor=Actor.STAFF)
    sign_in(client, team["owner"])
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert '<dd data-testid="cancel-reason">None</dd>' in page


def test_the_client_record_shows_the_reason_beside_the_cancelled_session(client, team, booked, now):
    cancel_on_the_manage_page(client, booked)
    sign_in(client, team["therapist"])
    page = client.get(f"/staff/clients/{booked.client.public_id}/").content.decode()
    assert f"Reason: “{REASON}”" in page


def test_today_lists_todays_cancellations_with_their_reason(
    client, team, booked, now, time_machine
):
    cancel_on_the_manage_page(client, booked)
    # Thursday morning in New York, the session's day.
    time_machine.move_to(THURSDAY_10 - timedelta(hours=3), tick=False)
    sign_in(client, team["therapist"])
    page = client.get("/staff/").content.decode()
    assert 'data-testid="cancelled-today"' in page and f"“{REASON}”" in page
    # Not the colleague's: a therapist sees their own sessions only.
    client.logout()
    sign_in(client, team["colleague"])
    assert "cancelled-today" not in client.get("/staff/").content.decode()


def test_today_does_not_list_a_cancellation_on_another_day(client, team, booked, now):
    cancel_on_the_manage_page(client, booked)
    sign_in(client, team["owner"])
    assert REASON not in client.get("/staff/").content.decode()


@pytest.mark.parametrize("reason", [REASON, ""])
def test_the_staff_api_gives_the_cancellation_time_and_reason(client, team, booked, now, reason):
    cancel_on_the_manage_page(client, booked, reason=reason)
    sign_in(client, team["owner"])
    body = client.get(f"/api/v1/staff/appointments/{booked.public_id}/").json()
    assert body["cancel_reason"] == reason
    assert datetime.fromisoformat(body["cancelled_at"]) == now
