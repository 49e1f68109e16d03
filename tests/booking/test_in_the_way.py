"""selectors.appointments_in_the_way: the application's twin of the exclusion constraints
(the only guard on SQLite), at its edges: back to back is free, a minute over is not."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.models import Appointment, AppointmentStatus
from booking.scheduling import selectors
from booking.scheduling.services import appointment_book
from tests.factories import ClientFactory, RoomFactory, TherapistFactory

TEN = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def first(now, therapist, session_type, practice):
    session_type.buffer_after_minutes = 10
    session_type.save()
    return appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TEN,
        enforce_availability=False,
    )


def probe(therapist, session_type, start, room=None):
    """An unsaved session as the services build one (blocked span from the buffers)."""
    appointment = Appointment(
        practice=therapist.practice,
        therapist=therapist,
        session_type=session_type,
        start=start,
        end=start + session_type.duration,
        room=room,
    )
    appointment.blocked_start = start - session_type.buffer_before
    appointment.blocked_end = appointment.end + session_type.buffer_after
    return appointment


def in_the_way(appointment):
    return [row.pk for row in selectors.appointments_in_the_way(appointment)]


def test_back_to_back_after_the_buffer_is_free(first, therapist, session_type):
    # 10:00-10:50 plus a 10-minute buffer: blocked until 11:00.
    assert in_the_way(probe(therapist, session_type, TEN + timedelta(hours=1))) == []


def test_a_minute_into_the_buffer_is_in_the_way(first, therapist, session_type):
    later = TEN + timedelta(minutes=59)
    assert in_the_way(probe(therapist, session_type, later)) == [first.pk]


def test_ending_as_it_starts_is_free(first, therapist, session_type):
    # A session ending at 10:00 blocks until 10:10 with its buffer: 08:50 ends 09:40 + 10.
    assert in_the_way(probe(therapist, session_type, TEN - timedelta(minutes=70))) == []
    assert in_the_way(probe(therapist, session_type, TEN - timedelta(minutes=59))) == [first.pk]


def test_it_never_counts_itself_or_a_cancelled_session(first, therapist, session_type):
    assert in_the_way(first) == []
    Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.CANCELLED)
    assert in_the_way(probe(therapist, session_type, TEN)) == []


def test_holds_are_returned_with_their_expiry_for_the_caller(first, therapist, session_type):
    expiry = TEN - timedelta(hours=1)
    Appointment.objects.filter(pk=first.pk).update(
        status=AppointmentStatus.HELD, hold_expires_at=expiry
    )
    (row,) = selectors.appointments_in_the_way(probe(therapist, session_type, TEN))
    assert (row.pk, row.status, row.hold_expires_at) == (first.pk, "held", expiry)


def test_a_room_is_in_the_way_for_another_therapist_only_while_it_is_in_use(
    first, practice, session_type
):
    room = RoomFactory(practice=practice)
    Appointment.objects.filter(pk=first.pk).update(room=room)
    other = TherapistFactory(practice=practice, offers=[session_type])
    (row,) = selectors.appointments_in_the_way(probe(other, session_type, TEN, room=room))
    assert (row.pk, row.room_id, row.start, row.end) == (first.pk, room.pk, first.start, first.end)
    # The room is free at 10:50 (buffers are the therapist's, not the room's).
    assert in_the_way(probe(other, session_type, TEN + timedelta(minutes=50), room=room)) == []
    assert in_the_way(probe(other, session_type, TEN, room=None)) == []
