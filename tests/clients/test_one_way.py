"""What changed when clients came to depend on booking, and not the other way round."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from booking import hooks
from booking.models import Appointment, AppointmentStatus
from booking.scheduling.services import appointment_book
from clients.privacy import client_anonymise
from tests.clients.conftest import THURSDAY_10


def test_erasure_cancels_future_sessions_with_a_new_sequence_so_calendars_drop_them(
    booked, therapist, time_machine
):
    later = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=booked.client,
        start=THURSDAY_10 + timedelta(days=14),
    )
    before = Appointment.objects.get(pk=later.pk).sequence
    time_machine.move_to(THURSDAY_10 + timedelta(days=1), tick=False)
    client_anonymise(client=booked.client)
    after = Appointment.objects.get(pk=later.pk)
    assert after.status == AppointmentStatus.CANCELLED
    assert after.sequence == before + 1


def test_booking_without_the_intake_app_registered_fails_loudly(monkeypatch):
    monkeypatch.setattr(hooks, "_registered", None)
    with pytest.raises(ImproperlyConfigured):
        hooks.intake_needed_before_confirming(object())


def test_the_intake_app_registers_its_hooks_at_start_up():
    from clients.intake import services, tokens

    registered = hooks._intake()
    assert registered.for_booking is services.intake_for_booking
    assert registered.link is tokens.intake_link
