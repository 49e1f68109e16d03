"""The page a booker sees before confirming their email, and its link after they do."""

import pytest

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_confirm_hold
from booking.tokens import manage_token_for
from tests.booking.test_pages import hold_now
from tests.support.identity import confirm_email

DETAILS = {"first_name": "Sam", "last_name": "Example", "email": "sam@example.com"}


@pytest.fixture
def awaiting(now, therapist):
    booked = appointment_confirm_hold(
        hold=hold_now(therapist), client_details={**DETAILS, "time_zone": "America/New_York"}
    )
    assert booked.email_confirm_by is not None
    return booked


def test_the_page_before_email_confirmation_offers_no_move_or_cancel(client, awaiting):
    token = manage_token(awaiting)
    text = client.get(f"/book/manage/{token}/?booked=1").content.decode()
    assert "Almost done: check your email" in text
    assert f"/book/manage/{token}/cancel/" not in text
    assert "reschedule=" not in text
    assert "confirm from the email first" in text


def test_the_on_screen_link_once_confirmed_says_so_kindly(client, awaiting):
    old = manage_token(awaiting)
    assert confirm_email(client, awaiting).status_code == 302
    page = client.get(f"/book/manage/{old}/")
    text = page.content.decode()
    assert page.status_code == 410  # gone for good, said kindly
    assert "Your booking is confirmed" in text
    assert "private link in your confirmation email" in text
    # Nothing about the session itself.
    assert awaiting.therapist.display_name not in text and "March" not in text
    # Its actions answer the same page, not a change.
    assert "Your booking is confirmed" in client.get(f"/book/manage/{old}/cancel/").content.decode()


def test_a_forged_or_unconfirmed_link_still_answers_link_invalid(client, awaiting):
    assert client.get(f"/book/manage/{manage_token(awaiting)}x/").status_code == 404
    confirm_email(client, awaiting)
    awaiting.client.refresh_from_db()
    # A retired nonce (links replaced) is not "confirmed since": it is simply expired.
    stale = manage_token_for(awaiting.public_id, "0" * 32)
    page = client.get(f"/book/manage/{stale}/")
    assert page.status_code == 404 and "incomplete or has expired" in page.content.decode()
