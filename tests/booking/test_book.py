"""The booking service: what it accepts, what it refuses, and what it records."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.exceptions import InvalidBooking, NotChangeable, PolicyViolation, SlotUnavailable
from booking.models import Appointment, AppointmentStatus, TimeOff
from booking.scheduling.services import (
    Actor,
    appointment_book,
    appointment_book_public,
    appointment_cancel,
    appointment_reschedule,
)
from clients.models import Client
from tests.factories import ClientFactory, RoomFactory, SessionTypeFactory, TherapistFactory

# Tuesday 2026-03-03, 10:00 EST: more than 24 hours after NOW (Monday 07:00 EST).
TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def book(therapist, session_type, client, start=TUESDAY_10, **kwargs):
    return appointment_book(
        therapist=therapist, session_type=session_type, client=client, start=start, **kwargs
    )


def test_it_books_an_offered_slot_with_end_and_buffers(now, therapist, client_record):
    session_type = therapist.session_types.get()
    session_type.buffer_before_minutes = 5
    session_type.buffer_after_minutes = 10
    session_type.save()
    appointment = book(therapist, session_type, client_record)
    appointment.refresh_from_db()
    assert appointment.start == TUESDAY_10
    assert appointment.end == TUESDAY_10 + timedelta(minutes=50)
    assert appointment.blocked_start == TUESDAY_10 - timedelta(minutes=5)
    assert appointment.blocked_end == TUESDAY_10 + timedelta(minutes=60)
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert appointment.practice == therapist.practice
    assert appointment.sequence == 0


def test_a_start_given_in_another_zone_is_the_same_instant(now, therapist, client_record):
    start = TUESDAY_10.astimezone(ZoneInfo("Asia/Tokyo"))
    appointment = book(therapist, therapist.session_types.get(), client_record, start=start)
    appointment.refresh_from_db()
    assert appointment.start == TUESDAY_10


def test_it_rejects_a_naive_start(now, therapist, client_record):
    naive = datetime(2026, 3, 3, 10)  # noqa: DTZ001
    with pytest.raises(InvalidBooking, match="UTC offset"):
        book(therapist, therapist.session_types.get(), client_record, start=naive)
    assert not Appointment.objects.exists()


def test_it_rejects_an_overlapping_booking(now, therapist, client_record, practice):
    session_type = therapist.session_types.get()
    book(therapist, session_type, client_record)
    with pytest.raises(SlotUnavailable):
        book(therapist, session_type, ClientFactory(practice=practice))
    assert Appointment.objects.count() == 1


def test_buffers_keep_back_to_back_sessions_apart(now, therapist, client_record, practice):
    session_type = therapist.session_types.get()
    session_type.duration_minutes = 60
    session_type.buffer_after_minutes = 15
    session_type.save()
    book(therapist, session_type, client_record)
    with pytest.raises(SlotUnavailable):
        book(
            therapist,
            session_type,
            ClientFactory(practice=practice),
            start=TUESDAY_10 + timedelta(hours=1),
            enforce_availability=False,
        )


def test_a_cancelled_session_frees_its_time(now, therapist, client_record, practice):
    session_type = therapist.session_types.get()
    first = book(therapist, session_type, client_record)
    appointment_cancel(appointment=first, actor=Actor.STAFF)
    second = book(therapist, session_type, ClientFactory(practice=practice))
    assert second.status == AppointmentStatus.CONFIRMED


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (datetime(2026, 3, 3, 12, 0, tzinfo=UTC), "07:00 local, before working hours"),
        (datetime(2026, 3, 3, 15, 15, tzinfo=UTC), "10:15 local, off the hourly step"),
        (datetime(2026, 3, 2, 15, 0, tzinfo=UTC), "today, inside the 24-hour notice"),
        (datetime(2026, 5, 12, 14, 0, tzinfo=UTC), "past the 60-day horizon"),
        (datetime(2026, 3, 7, 15, 0, tzinfo=UTC), "a Saturday"),
    ],
)
def test_it_refuses_a_start_the_engine_would_not_offer(now, therapist, client_record, start, why):
    with pytest.raises(SlotUnavailable):
        book(therapist, therapist.session_types.get(), client_record, start=start)
    assert not Appointment.objects.exists(), why


def test_it_refuses_time_off(now, therapist, client_record, practice):
    TimeOff.objects.create(
        practice=practice, therapist=None, start_date=TUESDAY_10.date(), end_date=TUESDAY_10.date()
    )
    with pytest.raises(SlotUnavailable):
        book(therapist, therapist.session_types.get(), client_record)


def test_staff_may_book_outside_hours_but_never_over_another_session(
    now, therapist, client_record, practice
):
    session_type = therapist.session_types.get()
    evening = datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # 18:00 local
    book(therapist, session_type, client_record, start=evening, enforce_availability=False)
    with pytest.raises(SlotUnavailable):
        book(
            therapist,
            session_type,
            ClientFactory(practice=practice),
            start=evening + timedelta(minutes=30),
            enforce_availability=False,
        )


def test_a_room_is_never_double_booked(now, practice, session_type, client_record):
    room = RoomFactory(practice=practice)
    first, second = (TherapistFactory(practice=practice, offers=[session_type]) for _ in range(2))
    book(first, session_type, client_record, room=room)
    with pytest.raises(SlotUnavailable, match="room"):
        book(second, session_type, ClientFactory(practice=practice), room=room)
    assert book(second, session_type, ClientFactory(practice=practice)).room is None


def test_it_refuses_a_session_type_the_therapist_does_not_offer(
    now, therapist, client_record, practice
):
    other = SessionTypeFactory(practice=practice)
    with pytest.raises(InvalidBooking, match="does not offer"):
        book(therapist, other, client_record)


def test_a_session_type_needing_approval_books_as_pending(now, therapist, client_record):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    assert book(therapist, session_type, client_record).status == AppointmentStatus.PENDING


def test_a_pending_request_holds_the_time_too(now, therapist, client_record, practice):
    session_type = therapist.session_types.get()
    session_type.requires_approval = True
    session_type.save()
    book(therapist, session_type, client_record)
    with pytest.raises(SlotUnavailable):
        book(therapist, session_type, ClientFactory(practice=practice))


def test_a_failed_booking_leaves_no_new_client_behind(now, therapist, practice, client_record):
    session_type = therapist.session_types.get()
    book(therapist, session_type, client_record)
    with pytest.raises(SlotUnavailable):
        appointment_book_public(
            therapist=therapist,
            session_type=session_type,
            start=TUESDAY_10,
            client_details={
                "first_name": "New",
                "last_name": "Person",
                "email": "new@example.com",
                "time_zone": "UTC",
            },
        )
    assert not Client.objects.filter(email="new@example.com").exists()


def test_reschedule_moves_the_session_and_bumps_the_sequence(now, therapist, client_record):
    appointment = book(therapist, therapist.session_types.get(), client_record)
    public_id = appointment.public_id
    later = TUESDAY_10 + timedelta(hours=2)
    moved = appointment_reschedule(appointment=appointment, start=later, actor=Actor.CLIENT)
    moved.refresh_from_db()
    assert (moved.start, moved.end) == (later, later + timedelta(minutes=50))
    assert moved.sequence == 1
    assert moved.public_id == public_id


def test_reschedule_may_overlap_its_own_old_time(now, therapist, client_record):
    session_type = therapist.session_types.get()
    session_type.slot_step_minutes = 30
    session_type.save()
    appointment = book(therapist, session_type, client_record)
    moved = appointment_reschedule(
        appointment=appointment, start=TUESDAY_10 + timedelta(minutes=30), actor=Actor.CLIENT
    )
    assert moved.start == TUESDAY_10 + timedelta(minutes=30)


def test_reschedule_onto_another_session_is_refused(now, therapist, client_record, practice):
    session_type = therapist.session_types.get()
    book(
        therapist,
        session_type,
        ClientFactory(practice=practice),
        start=TUESDAY_10 + timedelta(hours=1),
    )
    appointment = book(therapist, session_type, client_record)
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(
            appointment=appointment, start=TUESDAY_10 + timedelta(hours=1), actor=Actor.CLIENT
        )
    appointment.refresh_from_db()
    assert (appointment.start, appointment.sequence) == (TUESDAY_10, 0)


def test_clients_cannot_cancel_or_move_inside_the_late_cancel_window(
    now, therapist, client_record, time_machine
):
    appointment = book(therapist, therapist.session_types.get(), client_record)
    time_machine.move_to(TUESDAY_10 - timedelta(hours=23), tick=False)
    with pytest.raises(PolicyViolation, match="within 24 hours") as refused:
        appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
    assert "+1 212 555 0100" in refused.value.message
    with pytest.raises(PolicyViolation):
        appointment_reschedule(
            appointment=appointment, start=TUESDAY_10 + timedelta(days=1), actor=Actor.CLIENT
        )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED


def test_staff_can_late_cancel_inside_the_window(now, therapist, client_record, time_machine):
    appointment = book(therapist, therapist.session_types.get(), client_record)
    time_machine.move_to(TUESDAY_10 - timedelta(hours=2), tick=False)
    cancelled = appointment_cancel(appointment=appointment, actor=Actor.STAFF, late=True)
    assert cancelled.status == AppointmentStatus.LATE_CANCELLED
    assert cancelled.sequence == 1


def test_a_cancelled_session_cannot_be_cancelled_again(now, therapist, client_record):
    appointment = book(therapist, therapist.session_types.get(), client_record)
    appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
    with pytest.raises(NotChangeable):
        appointment_cancel(appointment=appointment, actor=Actor.CLIENT)
