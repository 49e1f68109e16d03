"""The client's reason for cancelling reaches the staff: session page, Today, record, API."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import Actor, appointment_cancel
from tests.staff.conftest import THURSDAY_10
from tests.support.staff import sign_in

NEW_YORK = ZoneInfo("America/New_York")
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
    assert '<dd data-testid="cancel-reason">none given</dd>' in page


def test_the_client_record_shows_the_reason_beside_the_cancelled_session(client, team, booked, now):
    cancel_on_the_manage_page(client, booked)
    sign_in(client, team["therapist"])
    page = client.get(f"/staff/clients/{booked.client.public_id}/").content.decode()
    assert f"Reason: “{REASON}”" in page


def test_today_lists_cancellations_made_today_whatever_day_the_session_was_for(
    client, team, booked, now
):
    cancel_on_the_manage_page(client, booked)  # on Monday, for Thursday's session
    sign_in(client, team["therapist"])
    page = client.get("/staff/").content.decode()
    table = page.split('data-testid="cancelled-today"')[1].split("</table>")[0]
    session = booked.start.astimezone(NEW_YORK)
    cancelled = now.astimezone(NEW_YORK)
    assert f"“{REASON}”" in table
    assert f"{session:%a} {session.day} {session:%b} {session:%H:%M}" in table  # Thu 5 Mar 10:00
    assert f"<td>{cancelled:%H:%M}</td>" in table
    # Not the colleague's: a therapist sees their own sessions only.
    client.logout()
    sign_in(client, team["colleague"])
    assert "cancelled-today" not in client.get("/staff/").content.decode()


def test_today_does_not_list_an_earlier_days_cancellation_of_todays_session(
    client, team, booked, now, time_machine
):
    cancel_on_the_manage_page(client, booked)
    # Thursday morning in New York, the session's day; it was cancelled on Monday.
    time_machine.move_to(THURSDAY_10 - timedelta(hours=3), tick=False)
    sign_in(client, team["owner"])
    assert REASON not in client.get("/staff/").content.decode()


def test_today_ends_at_midnight_in_the_pages_zone(client, team, booked, time_machine):
    # Monday 22:00 in New York is already Tuesday 03:00 UTC.
    cancelled = datetime(2026, 3, 2, 22, 0, tzinfo=NEW_YORK)
    time_machine.move_to(cancelled, tick=False)
    cancel_on_the_manage_page(client, booked)
    sign_in(client, team["owner"])
    time_machine.move_to(datetime(2026, 3, 2, 23, 59, tzinfo=NEW_YORK), tick=False)
    assert REASON in client.get("/staff/").content.decode()
    time_machine.move_to(datetime(2026, 3, 3, 0, 1, tzinfo=NEW_YORK), tick=False)
    assert REASON not in client.get("/staff/").content.decode()


@pytest.mark.parametrize("reason", [REASON, ""])
def test_the_staff_api_gives_the_cancellation_time_and_reason(client, team, booked, now, reason):
    cancel_on_the_manage_page(client, booked, reason=reason)
    sign_in(client, team["owner"])
    body = client.get(f"/api/v1/staff/appointments/{booked.public_id}/").json()
    assert body["cancel_reason"] == reason
    assert datetime.fromisoformat(body["cancelled_at"]) == now


# --- a reason staff record for the client ----------------------------------------------

STAFF_REASON = "Client phoned: unwell"


def test_staff_record_a_reason_on_the_cancel_form_marked_as_theirs(client, team, booked, now):
    sign_in(client, team["receptionist"])
    response = client.post(
        f"/staff/appointments/{booked.public_id}/cancel/", {"reason": f"  {STAFF_REASON} "}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancel_reason == STAFF_REASON
    assert booked.cancel_reason_by == team["receptionist"]
    name = team["receptionist"].get_full_name() or team["receptionist"].username
    marked = f'“{STAFF_REASON}” <small data-testid="reason-by">(entered by staff: {name})</small>'
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert marked in page
    record = client.get(f"/staff/clients/{booked.client.public_id}/").content.decode()
    assert "(entered by staff: " in record and STAFF_REASON in record


def test_the_cancel_form_offers_an_optional_reason_field(client, team, booked, now):
    sign_in(client, team["receptionist"])
    # The form asks first (tests/staff/test_safe_actions.py): its question holds the field.
    page = client.get(f"/staff/appointments/{booked.public_id}/?cancel=1").content.decode()
    assert '<label for="cancel-reason-input">Reason (optional)</label>' in page
    # Without a reason: cancelled all the same, nothing marked.
    client.post(f"/staff/appointments/{booked.public_id}/cancel/", {})
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancel_reason == ""
    assert booked.cancel_reason_by is None


def test_the_clients_own_reason_is_not_marked_as_staffs(client, team, booked, now):
    cancel_on_the_manage_page(client, booked)
    assert booked.cancel_reason_by is None
    sign_in(client, team["owner"])
    page = client.get(f"/staff/appointments/{booked.public_id}/").content.decode()
    assert f"“{REASON}”" in page and "entered by staff" not in page


def test_the_staff_api_cancel_takes_a_reason_and_names_who_entered_it(client, team, booked, now):
    sign_in(client, team["owner"])
    response = client.post(
        f"/api/v1/staff/appointments/{booked.public_id}/cancel/",
        {"late": True, "reason": STAFF_REASON},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "late_cancelled" and body["cancel_reason"] == STAFF_REASON
    assert body["cancel_reason_by"] == team["owner"].username


def test_the_staff_api_refuses_an_overlong_reason_with_a_400(client, team, booked, now):
    sign_in(client, team["owner"])
    response = client.post(
        f"/api/v1/staff/appointments/{booked.public_id}/cancel/",
        {"reason": "x" * 501},
        content_type="application/json",
    )
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    booked.refresh_from_db()
    assert booked.status == "confirmed"
