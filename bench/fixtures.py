"""Benchmark state: many appointments at once, written straight to the table.

Benchmarks need thousands of rows in seconds, so this bypasses the booking
service (and its checks) on purpose; tests never use it.
"""

from datetime import datetime, timedelta

from booking.models import Appointment


def bulk_appointments(
    *, therapist, session_type, clients, first: datetime, every: timedelta, count: int
) -> None:
    """``count`` sessions from ``first``, one every ``every``, clients taken in turn."""
    rows = []
    for i in range(count):
        appointment = Appointment(
            practice=therapist.practice,
            therapist=therapist,
            session_type=session_type,
            client=clients[i % len(clients)],
        )
        appointment.set_times(
            first + every * i, buffer_before=timedelta(0), buffer_after=timedelta(0)
        )
        rows.append(appointment)
    Appointment.objects.bulk_create(rows, batch_size=2000)
