import re
from datetime import UTC, datetime

import pytest
from django.core import mail

from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.staff import make_staff

# Thursday 2026-03-05 10:00 EST: three days after NOW.
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def new_client(intake_practice):
    return ClientFactory(
        practice=intake_practice, first_name="Quinn", last_name="Harlowe", email="quinn@example.org"
    )


@pytest.fixture
def booked(now, therapist, new_client, django_capture_on_commit_callbacks):
    """A first session for a new client, its messages sent."""
    with django_capture_on_commit_callbacks(execute=True):
        return book_first_session(therapist, new_client)


def book_first_session(therapist, client):
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client,
        start=THURSDAY_10,
    )


def intake_link_from(email) -> str:
    """The path of the intake link in an email (as a client would click it)."""
    match = re.search(r"https://booking\.example(/intake/[^/\s]+/)", email.body)
    assert match, email.body
    return match.group(1)


def intake_email():
    (email,) = [m for m in mail.outbox if "/intake/" in m.body]
    return email


@pytest.fixture
def staff(intake_practice, therapist):
    return staff_in_every_role(intake_practice, therapist)


def staff_in_every_role(practice, therapist):
    """One user per role; the therapist is the one the client booked with."""
    other = TherapistFactory(practice=practice)
    return {
        "owner": make_staff(practice, StaffRole.OWNER),
        "receptionist": make_staff(practice, StaffRole.RECEPTIONIST),
        "therapist": make_staff(practice, StaffRole.THERAPIST, therapist=therapist),
        "other_therapist": make_staff(practice, StaffRole.THERAPIST, therapist=other),
    }
