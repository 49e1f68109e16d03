"""No double booking, ever: under concurrent requests, and in the database itself."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client as HttpClient

from booking.exceptions import SlotUnavailable
from booking.models import Appointment, AppointmentStatus
from booking.scheduling.services import appointment_book
from clients.models import Client
from tests.conftest import requires_postgres
from tests.factories import ClientFactory, RoomFactory, TherapistFactory

TUESDAY_10 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
RACERS = 12


def race(attempt, n=RACERS):
    """Run ``attempt(i)`` in n threads released together; each thread its own connection."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=30)
            return attempt(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.django_db(transaction=True)
def test_simultaneous_bookings_of_one_slot_make_exactly_one(now, therapist, practice):
    session_type = therapist.session_types.get()
    clients = [ClientFactory(practice=practice) for _ in range(RACERS)]

    def attempt(i):
        try:
            appointment_book(
                therapist=therapist, session_type=session_type, client=clients[i], start=TUESDAY_10
            )
            return "booked"
        except SlotUnavailable:
            return "taken"

    results = race(attempt)
    assert sorted(results) == ["booked"] + ["taken"] * (RACERS - 1)
    assert Appointment.objects.filter(therapist=therapist).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_api_bookings_get_one_201_and_409s(now, therapist):
    session_type = therapist.session_types.get()

    def attempt(i):
        response = HttpClient().post(
            "/api/v1/bookings/",
            {
                "therapist": therapist.pk,
                "session_type": session_type.pk,
                "start": TUESDAY_10.isoformat(),
                "timezone": "America/New_York",
                "client": {
                    "first_name": "Racer",
                    "last_name": f"No{i}",
                    "email": f"racer{i}@example.com",
                },
            },
            content_type="application/json",
        )
        return response.status_code, response.json()

    results = race(attempt)
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (RACERS - 1)
    assert all("taken" in body["detail"] for code, body in results if code == 409)
    assert Appointment.objects.count() == 1


def _raw_appointment(therapist, session_type, client, start, room=None, **kwargs):
    """An appointment written straight to the table, bypassing the service's checks."""
    appointment = Appointment(
        practice=therapist.practice,
        therapist=therapist,
        session_type=session_type,
        client=client,
        room=room,
        **kwargs,
    )
    appointment.set_times(start, buffer_before=timedelta(0), buffer_after=timedelta(minutes=10))
    return appointment


@requires_postgres
def test_the_database_refuses_overlapping_sessions_for_one_therapist(now, therapist, practice):
    session_type = therapist.session_types.get()
    _raw_appointment(therapist, session_type, ClientFactory(practice=practice), TUESDAY_10).save()
    # Starts as the first one's buffer (10:50-11:00) is still running.
    clash = _raw_appointment(
        therapist,
        session_type,
        ClientFactory(practice=practice),
        TUESDAY_10 + timedelta(minutes=55),
    )
    with (
        pytest.raises(IntegrityError, match="appointment_therapist_no_overlap"),
        transaction.atomic(),
    ):
        clash.save()


@requires_postgres
def test_the_database_allows_overlap_with_a_cancelled_session(now, therapist, practice):
    session_type = therapist.session_types.get()
    _raw_appointment(
        therapist,
        session_type,
        ClientFactory(practice=practice),
        TUESDAY_10,
        status=AppointmentStatus.CANCELLED,
    ).save()
    _raw_appointment(therapist, session_type, ClientFactory(practice=practice), TUESDAY_10).save()
    assert Appointment.objects.count() == 2


@requires_postgres
def test_the_database_refuses_a_room_booked_twice(now, practice, session_type):
    room = RoomFactory(practice=practice)
    first, second = (TherapistFactory(practice=practice, offers=[session_type]) for _ in range(2))
    _raw_appointment(first, session_type, ClientFactory(practice=practice), TUESDAY_10, room).save()
    clash = _raw_appointment(
        second,
        session_type,
        ClientFactory(practice=practice),
        TUESDAY_10 + timedelta(minutes=30),
        room,
    )
    with pytest.raises(IntegrityError, match="appointment_room_no_overlap"), transaction.atomic():
        clash.save()


@requires_postgres
def test_the_database_refuses_an_overlapping_move(now, therapist, practice):
    session_type = therapist.session_types.get()
    _raw_appointment(therapist, session_type, ClientFactory(practice=practice), TUESDAY_10).save()
    later = _raw_appointment(
        therapist, session_type, ClientFactory(practice=practice), TUESDAY_10 + timedelta(hours=2)
    )
    later.save()
    later.set_times(TUESDAY_10, buffer_before=timedelta(0), buffer_after=timedelta(0))
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()


@requires_postgres
def test_a_lost_race_at_the_constraint_becomes_slot_unavailable(
    now, therapist, practice, monkeypatch
):
    """Even if the application checks were fooled, the constraint answers, as a 409-able error."""
    from booking.scheduling import services

    session_type = therapist.session_types.get()
    appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    monkeypatch.setattr(services, "_require_offered", lambda appointment, now: None)
    monkeypatch.setattr(services, "_require_no_overlap", lambda appointment, now: None)
    with pytest.raises(SlotUnavailable):
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=ClientFactory(practice=practice),
            start=TUESDAY_10,
        )
    assert Appointment.objects.count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_public_booking_that_loses_at_the_constraint_is_a_409_that_keeps_nothing(
    now, therapist, practice, monkeypatch
):
    """The public path saves without a savepoint: a constraint violation still ends as a
    409, and the contact written before it goes with the rolled-back transaction."""
    from booking.scheduling import services

    session_type = therapist.session_types.get()
    appointment_book(
        therapist=therapist,
        session_type=session_type,
        client=ClientFactory(practice=practice),
        start=TUESDAY_10,
    )
    monkeypatch.setattr(services, "_require_offered", lambda appointment, now: None)
    monkeypatch.setattr(services, "_require_no_overlap", lambda appointment, now: None)
    payload = {
        "therapist": therapist.pk,
        "session_type": session_type.pk,
        "start": TUESDAY_10.isoformat(),
        "timezone": "UTC",
        "client": {"first_name": "Lost", "last_name": "Race", "email": "lost@example.com"},
    }
    response = HttpClient().post("/api/v1/bookings/", payload, content_type="application/json")
    assert response.status_code == 409
    assert Appointment.objects.count() == 1
    assert not Client.objects.filter(email="lost@example.com").exists()
