"""The email-borrowing attack, end to end over real HTTP against a running server.

An attacker knows a client's email. Over HTTP they book the therapist they
work with, read the reply and the manage page; then that therapist signs in
(password and authenticator code, as in production) and looks for the
client's record. Before the fix the therapist could read the clinical record
and the attacker got the client's calendar feed; now nothing moves.
"""

import re
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from booking.scheduling.selectors import slot_list
from booking.scheduling.services import appointment_book
from clients.intake import services as intake_services
from clients.models import Intake
from practice.models import StaffRole
from tests.clients.test_intake_flow import complete_everything
from tests.factories import ClientFactory, TherapistFactory
from tests.practice.test_staff_auth import code_for
from tests.support.staff import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

CLINICAL_ANSWER = "Panic attacks on the train since spring"
PASSWORD = "over-http-staff-password"


@pytest.fixture
def scene(intake_practice, therapist):
    """A known client with a submitted intake, and a second therapist who never saw them."""
    session_type = therapist.session_types.get()
    victim = ClientFactory(practice=intake_practice, last_name="Harlowe", email="quinn@example.org")
    now = timezone.now()
    start = slot_list(
        therapist=therapist,
        session_type=session_type,
        window_start=now + timedelta(days=2),
        window_end=now + timedelta(days=9),
        now=now,
    )[0]
    appointment_book(therapist=therapist, session_type=session_type, client=victim, start=start)
    intake = Intake.objects.get(client=victim)
    complete_everything(intake, reason=CLINICAL_ANSWER)
    intake_services.intake_submit(intake=intake)
    other = TherapistFactory(practice=intake_practice, offers=[session_type])
    user = make_staff(intake_practice, StaffRole.THERAPIST, therapist=other)
    user.set_password(PASSWORD)
    user.save()
    return {"victim": victim, "other": other, "user": user, "session_type": session_type}


def free_time(base, therapist, session_type) -> str:
    today = timezone.now().date()
    slots = requests.get(
        f"{base}/api/v1/slots/",
        params={
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": (today + timedelta(days=2)).isoformat(),
            "end": (today + timedelta(days=12)).isoformat(),
            "tz": "UTC",
        },
        timeout=10,
    ).json()["slots"]
    return slots


def book(base, therapist, session_type, email, start):
    return requests.post(
        f"{base}/api/v1/bookings/",
        json={
            "therapist": therapist.pk,
            "session_type": session_type.pk,
            "start": start,
            "timezone": "Asia/Tokyo",
            "client": {"first_name": "Mallory", "last_name": "Example", "email": email},
        },
        timeout=10,
    )


def sign_in(base, user) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/staff/login/", timeout=10).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = http.post(
        f"{base}/staff/login/",
        data={
            "csrfmiddlewaretoken": csrf,
            "username": user.username,
            "password": PASSWORD,
            "otp_token": code_for(TOTPDevice.objects.get(user=user)),
        },
        headers={"Referer": f"{base}/staff/login/"},
        timeout=10,
    )
    assert answer.url.endswith("/staff/"), answer.text[:300]
    return http


def test_typing_a_known_email_over_http_borrows_nothing(live_server, scene):
    base, victim, other = live_server.url, scene["victim"], scene["other"]
    first, second = free_time(base, other, scene["session_type"])[:2]
    mail.outbox.clear()

    # The attacker's reply looks exactly like a stranger's.
    known = book(base, other, scene["session_type"], victim.email.upper(), first["start"])
    fresh = book(base, other, scene["session_type"], "someone-new@example.net", second["start"])
    assert known.status_code == fresh.status_code == 201
    assert sorted(known.json()) == sorted(fresh.json())
    assert known.json()["status"] == fresh.json()["status"] == "pending"
    assert known.json()["timezone"] == "Asia/Tokyo"

    # Their manage page: their own request, nothing of the record, no feed.
    page = requests.get(known.json()["manage_url"], timeout=10)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "webcal://" not in page.text and victim.last_name not in page.text

    # The client's mailbox gets "please confirm" and nothing else.
    to_victim = [m for m in mail.outbox if victim.email.upper() in [a.upper() for a in m.to]]
    assert [m.subject.split(" ")[0] for m in to_victim] == ["Please"]

    # The booked therapist signs in and finds no record to read.
    therapist = sign_in(base, scene["user"])
    for path in (
        f"/staff/clients/{victim.public_id}/",
        f"/api/v1/staff/clients/{victim.public_id}/",
        f"/api/v1/staff/clients/{victim.public_id}/clinical/",
    ):
        assert therapist.get(base + path, timeout=10).status_code == 404, path
    listing = therapist.get(f"{base}/api/v1/staff/clients/", timeout=10).json()
    assert victim.email not in str(listing) and CLINICAL_ANSWER not in str(listing)
