"""Email-only booking: a mobile number and text reminders are optional, and go together."""

import pytest

from booking.models import Appointment
from booking.scheduling.services import appointment_hold
from booking.tokens import manage_token_for
from tests.booking.test_pages import DETAILS, TUESDAY_10


@pytest.fixture
def details_url(now, therapist):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    return f"/book/details/{manage_token_for(hold.public_id)}/"


def test_a_client_can_book_by_email_alone(client, details_url):
    response = client.post(details_url, DETAILS | {"phone": "", "sms_consent": ""})
    assert response.status_code == 302
    assert Appointment.objects.get().client.phone == ""


def test_a_mobile_with_consent_to_texts_is_kept(client, details_url, now):
    response = client.post(details_url, DETAILS | {"phone": "+44 7911 123456", "sms_consent": "on"})
    assert response.status_code == 302
    booker = Appointment.objects.get().client
    assert booker.phone == "+447911123456"
    # Their own choice: recorded when they made it, by nobody on the staff.
    assert (booker.sms_consent_at, booker.sms_consent_by) == (now, None)


def test_a_number_without_consent_to_texts_is_questioned(client, details_url):
    response = client.post(details_url, DETAILS | {"sms_consent": ""})
    assert response.status_code == 422
    assert "leave the mobile number empty" in response.content.decode()


def test_consent_to_texts_without_a_number_is_questioned(client, details_url):
    response = client.post(details_url, DETAILS | {"phone": "", "sms_consent": "on"})
    assert response.status_code == 422
    assert "Enter a mobile number for text reminders" in response.content.decode()


def test_a_landline_is_refused_for_texts_in_plain_words(client, details_url):
    response = client.post(
        details_url, DETAILS | {"phone": "+44 20 7946 0958", "sms_consent": "on"}
    )
    assert response.status_code == 422
    assert "cannot receive text messages" in response.content.decode()
