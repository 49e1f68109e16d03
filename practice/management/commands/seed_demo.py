"""Create the invented demo practice "Harbor Counseling". Safe to run again."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from booking.models import Appointment, TimeOff, WorkingHours
from booking.scheduling import selectors
from booking.scheduling.services import appointment_book
from clients.intake import services as intake_services
from clients.intake.questions import DEFAULT_QUESTIONS
from clients.models import ConsentDocument, ConsentKind, IntakeForm
from clients.services import client_get_or_create
from practice.models import Modality, Practice, SessionType, StaffMember, StaffRole, Therapist

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

# Invented licences: New York therapists for NY and NJ, the Los Angeles one for CA and,
# through a compact in a real practice, more (the demo keeps it to licences).
DEMO_LICENCES = {"America/New_York": "US-NJ US-NY", "America/Los_Angeles": "US-CA US-OR US-WA"}

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

# Front-desk and owner accounts (the therapists above are staff too).
OFFICE_STAFF = [("reception", StaffRole.RECEPTIONIST), ("owner", StaffRole.OWNER)]

CONSENTS = [
    (
        ConsentKind.INFORMED_CONSENT,
        "Informed consent to treatment",
        "I agree to take part in therapy at Harbor Counseling (an invented practice for "
        "this demo). I understand what therapy involves, that I can stop at any time, and "
        "the limits of confidentiality: risk of serious harm to myself or others, and "
        "where the law requires disclosure.",
    ),
    (
        ConsentKind.PRIVACY_NOTICE,
        "Privacy notice",
        "We keep your contact details, session times, intake answers and questionnaire "
        "results to provide your care. Answers and results are encrypted, only your "
        "therapist and the practice owner can read them, and every look is logged. You "
        "can ask for a copy of your data or for it to be erased.",
    ),
    (
        ConsentKind.CANCELLATION_POLICY,
        "Late-cancellation policy",
        "Sessions cancelled or moved less than 24 hours ahead may be charged in full.",
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
                # Invented accounts with a published password: no second factor to set up.
                "require_two_factor": False,
            },
        )
        session_types = [self._session_type(practice, *row) for row in SESSION_TYPES]
        therapists = [self._therapist(practice, session_types, *row) for row in THERAPISTS]
        for username, role in OFFICE_STAFF:
            self._staff(practice, username, role)
        self._intake(practice)
        self._holidays(practice, therapists)
        self._sessions(practice, therapists, session_types)
        usernames = [t.user.username for t in therapists] + [u for u, _ in OFFICE_STAFF]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo practice ready: {practice.name}. Staff sign-in at /staff/: "
                + ", ".join(usernames)
                + f" (password: {DEMO_PASSWORD}). Two-factor is off for the demo; "
                "a real practice keeps it on (Practice.require_two_factor). To try it, "
                "`DEBUG=1 .venv/bin/python manage.py two_factor_link owner` prints "
                "a one-time set-up link."
            )
        )

    def _staff(self, practice, username, role):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@harbor.example", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffMember.objects.update_or_create(
            user=user, defaults={"practice": practice, "role": role}
        )
        return user

    def _intake(self, practice):
        form, _ = IntakeForm.objects.get_or_create(
            practice=practice, name="New client intake", defaults={"is_active": True}
        )
        if not form.versions.exists():
            intake_services.intake_form_publish(form=form, questions_list=DEFAULT_QUESTIONS)
        for kind, title, text in CONSENTS:
            document, _ = ConsentDocument.objects.get_or_create(
                practice=practice, kind=kind, defaults={"title": title}
            )
            intake_services.consent_publish(document=document, text=text)

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
                # Video clients are offered only where their therapist is licensed.
                "licence_jurisdictions": DEMO_LICENCES[zone],
            },
        )
        StaffMember.objects.update_or_create(
            user=user, defaults={"practice": practice, "role": StaffRole.THERAPIST}
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
            client, _ = client_get_or_create(
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
