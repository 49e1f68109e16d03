"""Factories for test state. Appointments are made through the booking service, not here."""

from datetime import time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from booking.models import WorkingHours
from clients.models import Client, new_link_nonce
from practice.models import Modality, Practice, Room, SessionType, Therapist


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Test Practice {n}")
    slug = factory.Sequence(lambda n: f"test-practice-{n}")
    time_zone = "America/New_York"
    min_notice = timedelta(hours=24)
    booking_horizon = timedelta(days=60)
    late_cancel_window = timedelta(hours=24)
    contact_phone = "+1 212 555 0100"
    # Off here so booking tests see only booking messages; the intake tests
    # (and every real practice, by default) have it on.
    intake_enabled = False


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Session {n}")
    duration_minutes = 50
    modality = Modality.IN_PERSON
    slot_step_minutes = 60


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@practice.example")
    is_staff = True


class TherapistFactory(factory.django.DjangoModelFactory):
    """A therapist working Monday to Friday, 09:00–17:00 in their zone, offering ``offers``."""

    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Therapist {n}")
    time_zone = "America/New_York"

    @factory.post_generation
    def offers(self, create, extracted, **kwargs):
        if create and extracted:
            self.session_types.set(extracted)

    @factory.post_generation
    def weekday_hours(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        start, end = extracted or (time(9), time(17))
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=self, weekday=day, start_time=start, end_time=end)
            for day in range(5)
        )


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Client{n}")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    time_zone = "America/New_York"
    # A known client: created by staff, or whose email link was used.
    verified_at = factory.LazyFunction(timezone.now)
    link_nonce = factory.LazyFunction(new_link_nonce)
