"""The practice's late-cancel fee text goes with the cancellation policy wherever clients
read it: the booking details page, the session page, the cancel page and the emails."""

import pytest
from django.core import mail

from booking.scheduling.selectors import manage_token
from booking.scheduling.services import appointment_book, appointment_hold
from booking.tokens import manage_token_for
from tests.booking.test_pages import TUESDAY_10
from tests.factories import ClientFactory

FEE = "A $60 fee applies to cancellations within 24 hours."


@pytest.fixture
def fee(practice):
    practice.late_cancel_fee = FEE
    practice.save()
    return practice


@pytest.fixture
def booked(now, fee, therapist, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=ClientFactory(practice=fee),
            start=TUESDAY_10,
        )


def test_the_confirmation_email_carries_the_fee_with_the_policy(booked):
    (email,) = mail.outbox
    assert FEE in email.body
    assert FEE.replace("$", "$") in email.alternatives[0][0]


def test_the_session_and_cancel_pages_carry_the_fee(client, booked):
    token = manage_token(booked)
    assert FEE in client.get(f"/book/manage/{token}/").content.decode()
    assert FEE in client.get(f"/book/manage/{token}/cancel/").content.decode()


def test_the_details_page_carries_the_fee_before_booking(client, now, fee, therapist):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    page = client.get(f"/book/details/{manage_token_for(hold.public_id)}/").content.decode()
    assert FEE in page


def test_no_fee_text_no_sentence(client, now, practice, therapist):
    hold = appointment_hold(
        therapist=therapist, session_type=therapist.session_types.get(), start=TUESDAY_10
    )
    page = client.get(f"/book/details/{manage_token_for(hold.public_id)}/").content.decode()
    assert 'data-testid="late-cancel-fee"' not in page
