"""The front desk's actions: queue, resend, review, assign, new client, book on their behalf."""

import re
from datetime import UTC, datetime

from django.core import mail

from booking.models import Appointment, AppointmentStatus
from clients.intake import services as intake_services
from clients.models import AuditEvent, Client, Intake, IntakeStatus
from tests.clients.conftest import THURSDAY_10, intake_email, intake_link_from
from tests.clients.test_intake_flow import complete_everything
from tests.factories import TherapistFactory
from tests.support.staff import sign_in


def test_the_queue_shows_intake_and_consent_status_and_the_next_session(client, booked, staff):
    sign_in(client, staff["receptionist"])
    page = client.get("/staff/intake/").content.decode()
    assert page.count('data-testid="queue-row"') == 1
    assert "Quinn Harlowe" in page and "Invited" in page and "missing" in page
    assert "Thu 5 Mar 10:00" in page  # the practice's zone (New York)


def test_mark_reviewed_only_after_submission_and_then_the_client_is_active(client, booked, staff):
    sign_in(client, staff["receptionist"])
    url = f"/staff/clients/{booked.client.public_id}/intake/review/"
    response = client.post(url, follow=True)
    assert "Only a submitted intake" in response.content.decode()
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake)
    intake_services.intake_submit(intake=intake)
    client.post(url, {"back": "queue"})
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.REVIEWED
    assert intake.reviewed_by == staff["receptionist"]
    assert Client.objects.get(pk=booked.client.pk).status == "active"
    assert "Quinn" not in client.get("/staff/intake/").content.decode()


def test_resending_makes_a_new_link_and_retires_the_old_one(
    client, booked, staff, django_capture_on_commit_callbacks
):
    old_link = intake_link_from(intake_email())
    mail.outbox.clear()
    sign_in(client, staff["receptionist"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/clients/{booked.client.public_id}/intake/resend/")
    new_link = intake_link_from(intake_email())
    assert new_link != old_link
    client.logout()
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_assigning_a_therapist_gives_them_the_client(client, booked, staff, intake_practice):
    newcomer = TherapistFactory(practice=intake_practice)
    sign_in(client, staff["receptionist"])
    response = client.post(
        f"/staff/clients/{booked.client.public_id}/assign/", {"therapist": newcomer.pk}
    )
    assert response.status_code == 302
    assert Client.objects.get(pk=booked.client.pk).assigned_therapist == newcomer
    bad = client.post(f"/staff/clients/{booked.client.public_id}/assign/", {"therapist": "999"})
    assert bad.status_code == 302
    assert Client.objects.get(pk=booked.client.pk).assigned_therapist == newcomer


def test_a_caller_becomes_a_client_and_is_booked_with_the_same_guarantees(
    client, now, therapist, staff, intake_practice
):
    sign_in(client, staff["receptionist"])
    response = client.post(
        "/staff/clients/new/",
        {
            "first_name": "Avery",
            "last_name": "Phonecall",
            "email": "avery@example.net",
            "phone": "202 555 0123",
            "time_zone": "America/Chicago",
        },
    )
    new = Client.objects.get(email="avery@example.net")
    assert response["Location"] == f"/staff/clients/{new.public_id}/book/"
    assert new.phone == "+12025550123"
    form = {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "date": "2026-03-05",
        "time": "10:00",
    }
    assert client.post(response["Location"], form).status_code == 302
    booked = Appointment.objects.get(client=new)
    assert booked.start == THURSDAY_10 and booked.status == AppointmentStatus.CONFIRMED
    assert AuditEvent.objects.filter(what="appointment", action="create").exists()
    # The same time again, for someone else: a 409 that keeps what was typed.
    other = Client.objects.create(
        practice=intake_practice,
        first_name="B",
        last_name="C",
        email="b@example.net",
        time_zone="UTC",
        verified_at=now,
    )
    clash = client.post(f"/staff/clients/{other.public_id}/book/", form)
    assert clash.status_code == 409
    text = clash.content.decode()
    assert "just been taken" in text and 'value="2026-03-05"' in text and 'value="10:00"' in text


def test_outside_hours_needs_the_override_and_a_time_that_does_not_exist_is_refused(
    client, now, therapist, staff, booked
):
    sign_in(client, staff["receptionist"])
    url = f"/staff/clients/{booked.client.public_id}/book/"
    form = {
        "session_type": therapist.session_types.get().pk,
        "therapist": therapist.pk,
        "date": "2026-03-07",  # a Saturday
        "time": "08:00",
        # The client's Thursday session is within a week: warned about and confirmed
        # (tests/staff/test_book_with_care.py).
        "near_ok": "1",
    }
    assert client.post(url, form).status_code == 409
    assert client.post(url, form | {"override_hours": "on"}).status_code == 302
    assert Appointment.objects.filter(start=datetime(2026, 3, 7, 13, tzinfo=UTC)).exists()
    gap = client.post(url, form | {"date": "2026-03-08", "time": "02:30", "override_hours": "on"})
    assert gap.status_code == 400 and "clocks go forward" in gap.content.decode()


def test_editing_contact_details_keeps_bad_input_and_says_why(client, booked, staff):
    sign_in(client, staff["receptionist"])
    url = f"/staff/clients/{booked.client.public_id}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and "quinn@example.org" in page.content.decode()
    data = {
        "first_name": "Quinn",
        "last_name": "Harlowe",
        "email": "quinn@example.org",
        "phone": "12",
        "time_zone": "Mars/Olympus",
        "status": "active",
        "pronouns": "they/them",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "too short or too long" in text and "Choose a time zone" in text
    assert 'value="they/them"' in text
    assert client.post(url, data | {"phone": "", "time_zone": "Europe/Oslo"}).status_code == 302
    updated = Client.objects.get(pk=booked.client.pk)
    assert (updated.pronouns, updated.time_zone, updated.status) == (
        "they/them",
        "Europe/Oslo",
        "active",
    )
    entry = AuditEvent.objects.get(action="change", what="contact")
    assert set(entry.fields) >= {"pronouns", "status", "time_zone"}


def test_search_finds_by_name_email_or_phone_and_pages(client, booked, staff, intake_practice):
    for n in range(30):
        Client.objects.create(
            practice=intake_practice,
            first_name=f"Person{n}",
            last_name="Listed",
            email=f"p{n}@example.net",
            phone=f"+1202555{n:04d}",
            time_zone="UTC",
        )
    sign_in(client, staff["receptionist"])
    first = client.get("/staff/clients/").content.decode()
    assert "31 clients" in first and "Page 1 of 2" in first
    assert "1 client matching" in client.get("/staff/clients/?q=harlowe").content.decode()
    assert "1 client matching" in client.get("/staff/clients/?q=p7@example").content.decode()
    assert "Person12" in client.get("/staff/clients/?q=202-555-0012").content.decode()
    assert AuditEvent.objects.filter(action="search").count() == 3


def test_the_api_refuses_bad_contact_details_with_reasons(client, booked, staff):
    sign_in(client, staff["receptionist"])
    url = f"/api/v1/staff/clients/{booked.client.public_id}/"
    response = client.patch(
        url, {"phone": "12", "time_zone": "Nowhere/Land"}, content_type="application/json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "too short" in errors["phone"][0] and "time zone" in errors["time_zone"][0]
    ok = client.patch(url, {"phone": "(202) 555-0101"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["phone"] == "+12025550101"


def test_the_phone_flow_books_a_listed_free_time_in_one_click(
    client, now, therapist, staff, booked
):
    sign_in(client, staff["receptionist"])
    url = f"/staff/clients/{booked.client.public_id}/book/"
    page = client.get(url, {"find_type": therapist.session_types.get().pk}).content.decode()
    values = re.findall(r'name="quick_start" value="([^"]+)"', page)
    assert len(values) == 12
    therapist_id, iso = values[0].split("|")
    first = datetime.fromisoformat(iso)
    # The first time after the 24-hour notice: Tuesday 09:00 in New York.
    assert (int(therapist_id), first) == (therapist.pk, datetime(2026, 3, 3, 14, tzinfo=UTC))
    data = {
        "quick_start": values[0],
        "quick_type": therapist.session_types.get().pk,
        "near_ok": "1",  # their Thursday session is within a week (asked first, tested apart)
    }
    assert client.post(url, data).status_code == 302
    assert Appointment.objects.filter(client=booked.client, start=first).exists()
    assert client.post(url, data).status_code == 409  # taken now
    assert client.post(url, data | {"quick_start": "x|y"}).status_code == 409
