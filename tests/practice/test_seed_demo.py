"""`manage.py seed_demo`: the demo practice, idempotent, with bookable time."""

from django.core.management import call_command
from rest_framework.test import APIClient

from booking.models import Appointment, WorkingHours
from practice.models import Practice, SessionType, Therapist


def test_seed_demo_is_idempotent_and_the_api_offers_real_slots(db):
    call_command("seed_demo")
    counts = (
        Practice.objects.count(),
        Therapist.objects.count(),
        SessionType.objects.count(),
        WorkingHours.objects.count(),
        Appointment.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Practice.objects.count(),
        Therapist.objects.count(),
        SessionType.objects.count(),
        WorkingHours.objects.count(),
        Appointment.objects.count(),
    ) == counts
    assert counts[:3] == (1, 3, 3)
    assert Appointment.objects.exists()
    assert {t.time_zone for t in Therapist.objects.all()} == {
        "America/New_York",
        "America/Los_Angeles",
    }

    api = APIClient()
    therapist = api.get("/api/v1/therapists/").json()[0]
    from django.utils import timezone

    today = timezone.localdate()
    response = api.get(
        "/api/v1/slots/",
        {
            "therapist": therapist["id"],
            "session_type": therapist["session_types"][0],
            "start": today.isoformat(),
            "end": (today + timezone.timedelta(days=14)).isoformat(),
            "tz": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert len(response.json()["slots"]) > 10
