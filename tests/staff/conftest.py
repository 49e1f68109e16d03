from datetime import UTC, datetime

import pytest

from booking.scheduling.services import appointment_book
from practice.models import StaffRole
from tests.factories import ClientFactory, TherapistFactory
from tests.support.staff import make_staff

# Thursday 2026-03-05 10:00 EST (NOW is Monday 2026-03-02 12:00 UTC).
THURSDAY_10 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.fixture
def team(practice, therapist):
    colleague = TherapistFactory(
        practice=practice, offers=list(therapist.session_types.all()), display_name="Colleague"
    )
    return {
        "owner": make_staff(practice, StaffRole.OWNER),
        "receptionist": make_staff(practice, StaffRole.RECEPTIONIST),
        "therapist": make_staff(practice, StaffRole.THERAPIST, therapist=therapist),
        "colleague": make_staff(practice, StaffRole.THERAPIST, therapist=colleague),
        "colleague_record": colleague,
    }


@pytest.fixture
def booked(now, therapist, practice):
    client = ClientFactory(practice=practice, first_name="Ines", last_name="Calendartest")
    return appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=client,
        start=THURSDAY_10,
    )
