"""Create the invented demo practice "Harbor Counseling". Safe to run again."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from booking import selectors
from booking.models import Appointment, TimeOff, WorkingHours
from booking.services import appointment_book
from clients.services import client_get_or_create
from practice.models import Modality, Practice, SessionType, Therapist

DEMO_PASSWORD = "harbor-demo-password"  # noqa: S105 (invented demo accounts)

THERAPISTS = [
    # username, display name, zone, weekly hours {weekday: [(start, end)]}
    (
        "maya",
        "Dr. Maya Okafor",
        "America/New_York",
        {d: [(time(9), time(12)), (time(13), time(18))] for d in range(4)}
        | {4: [(time(9), time(13))]},
    ),
    (
        "sam",
        "Sam Lindqvist, LMFT",
        "America/New_York",
        {d: [(time(11), time(19))] for d in (1, 2, 3)} | {5: [(time(9), time(13))]},
    ),
    (
        "priya",
        "Priya Raman, LCSW",
        "America/Los_Angeles",
        {d: [(time(10), time(16))] for d in (1, 2, 3, 4, 5)},
    ),
]

SESSION_TYPES = [
    # name, minutes, price, modality, buffer after, step, extra
    ("Individual session", 50, "150.00", Modality.IN_PERSON, 10, 30, {}),
    ("Couples session", 80, "190.00", Modality.IN_PERSON, 10, 30, {}),
    (
        "Free consultation",
        15,
        "0.00",
        Modality.TELEHEALTH,
        0,
        15,
        {"min_notice": timedelta(hours=2)},
    ),
]

DEMO_CLIENTS = [
    ("Alex", "Rivera", "alex.rivera@example.com"),
    ("Jordan", "Blake", "jordan.blake@example.com"),
    ("Casey", "Morgan", "casey.morgan@example.com"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo practice, its therapists, hours and a few sessions."

    @transaction.atomic
    def handle(self, *args, **options):
        practice, _ = Practice.objects.update_or_create(
            slug="harbor-counseling",
            defaults={
                "name": "Harbor Counseling",
                "time_zone": "America/New_York",
                "contact_phone": "+1 212 555 0100",
                "contact_email": "frontdesk@harbor.example",
            },
        )
        session_types = [self._session_type(practice, *row) for row in SESSION_TYPES]
        therapists = [self._therapist(practice, session_types, *row) for row in THERAPISTS]
        self._holidays(practice, therapists)
        self._sessions(practice, therapists, session_types)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo practice ready: {practice.name}. Staff logins: "
                + ", ".join(t.user.username for t in therapists)
                + f" (password: {DEMO_PASSWORD})"
            )
        )

    def _session_type(self, practice, name, minutes, price, modality, buffer_after, step, extra):
        session_type, _ = SessionType.objects.update_or_create(
            practice=practice,
            name=name,
            defaults={
                "duration_minutes": minutes,
                "price": Decimal(price),
                "modality": modality,
                "buffer_after_minutes": buffer_after,
                "slot_step_minutes": step,
                **extra,
            },
        )
        return session_type

    def _therapist(self, practice, session_types, username, display_name, zone, weekly):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@harbor.example", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        therapist, _ = Therapist.objects.update_or_create(
            user=user,
            defaults={
                "practice": practice,
                "display_name": display_name,
                "time_zone": zone,
                "bio": "An invented therapist for the demo practice.",
            },
        )
        offered = session_types if zone == "America/New_York" else [session_types[2]]
        therapist.session_types.set(offered)
        WorkingHours.objects.filter(therapist=therapist).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(therapist=therapist, weekday=day, start_time=start, end_time=end)
            for day, intervals in weekly.items()
            for start, end in intervals
        )
        return therapist

    def _holidays(self, practice, therapists):
        today = timezone.localdate()
        new_year = date(today.year + 1, 1, 1)
        TimeOff.objects.get_or_create(
            practice=practice,
            therapist=None,
            start_date=new_year,
            end_date=new_year,
            defaults={"reason": "New Year's Day"},
        )
        vacation_start = today + timedelta(days=21)
        TimeOff.objects.get_or_create(
            practice=practice,
            therapist=therapists[1],
            reason="Conference",
            defaults={"start_date": vacation_start, "end_date": vacation_start + timedelta(days=2)},
        )

    def _sessions(self, practice, therapists, session_types):
        if Appointment.objects.filter(practice=practice).exists():
            return
        now = timezone.now()
        for i, (first, last, email) in enumerate(DEMO_CLIENTS):
            client = client_get_or_create(
                practice=practice,
                first_name=first,
                last_name=last,
                email=email,
                time_zone="America/New_York",
            )
            therapist = therapists[i % 2]
            session_type = session_types[0]
            free = selectors.slot_list(
                therapist=therapist,
                session_type=session_type,
                window_start=now + timedelta(days=2 + i),
                window_end=now + timedelta(days=9 + i),
                now=now,
            )
            if free:
                appointment_book(
                    therapist=therapist, session_type=session_type, client=client, start=free[0]
                )
