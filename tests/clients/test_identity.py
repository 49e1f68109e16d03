"""Identity is proven, not typed: what an anonymous booker who types a client's email gets.

The attack seen in review: book through the public API with a known client's
address, then read their record as the booked therapist, subscribe to their
sessions from the manage page, and learn from the reply that the address is
known. Each test plays one step of it through HTTP, as the attacker or the
people around them would.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from rest_framework.test import APIClient

from booking.models import Appointment, AppointmentStatus, CalendarFeed, FeedKind
from booking.scheduling.selectors import manage_token
from booking.scheduling.services import bookings_release_unconfirmed
from clients.intake import services as intake_services
from clients.models import AuditEvent, Client, Intake, IntakeStatus
from tests.clients.test_intake_flow import complete_everything
from tests.factories import ClientFactory
from tests.support.identity import confirm_email, confirm_path
from tests.support.staff import sign_in

# Friday 2026-03-06 10:00 EST: four days after NOW, inside the horizon.
FRIDAY_10 = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
CLINICAL_ANSWER = "Panic attacks on the train since spring"


@pytest.fixture
def victim(booked):
    """A known client with a submitted intake (clinical answers, PHQ-9), booked with "therapist"."""
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake, reason=CLINICAL_ANSWER)
    intake_services.intake_submit(intake=intake)
    return booked.client


@pytest.fixture
def borrower_therapist(intake_practice, therapist, staff):
    """The therapist the attacker books: "other_therapist", who has never seen the victim."""
    other = staff["other_therapist"].therapist
    other.session_types.add(therapist.session_types.get())
    return other


def public_booking(therapist, email, *, zone="Asia/Tokyo", start=FRIDAY_10, first="Mallory"):
    return APIClient().post(
        "/api/v1/bookings/",
        {
            "therapist": therapist.pk,
            "session_type": therapist.session_types.get().pk,
            "start": start.isoformat(),
            "timezone": zone,
            "client": {"first_name": first, "last_name": "Example", "email": email},
        },
        format="json",
    )


def token_of(response) -> str:
    return response.json()["manage_url"].rstrip("/").rsplit("/", 1)[1]


def shape(body: dict) -> dict:
    """A reply without what differs between any two bookings (ids, times, links)."""
    return {k: v for k, v in body.items() if k not in ("id", "start", "end", "manage_url")} | {
        "change_deadline": None
    }


# --- the reply tells nothing -------------------------------------------------------


def test_a_known_email_gets_exactly_the_reply_a_new_one_gets(victim, borrower_therapist):
    known = public_booking(borrower_therapist, victim.email.upper())
    new = public_booking(
        borrower_therapist, "nobody-yet@example.net", start=FRIDAY_10 + timedelta(hours=2)
    )
    assert known.status_code == new.status_code == 201
    assert shape(known.json()) == shape(new.json())
    assert known.json()["timezone"] == "Asia/Tokyo" != victim.time_zone
    assert known.json()["status"] == "pending"


def test_a_known_email_makes_a_separate_contact_and_leaves_the_record_alone(
    victim, borrower_therapist
):
    before = Client.objects.get(pk=victim.pk)
    response = public_booking(borrower_therapist, victim.email)
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    assert appointment.client_id != victim.pk
    assert appointment.client.verified_at is None
    assert appointment.client.first_name == "Mallory"
    after = Client.objects.get(pk=victim.pk)
    assert (after.time_zone, after.assigned_therapist_id, after.link_nonce) == (
        before.time_zone,
        before.assigned_therapist_id,
        before.link_nonce,
    )
    assert not Appointment.objects.filter(client=victim, therapist=borrower_therapist).exists()


# --- nothing of the record reaches the booker --------------------------------------


def test_the_borrowers_manage_page_shows_no_feed_and_nothing_of_the_record(
    victim, borrower_therapist, client
):
    token = token_of(public_booking(borrower_therapist, victim.email))
    page = client.get(f"/book/manage/{token}/").content.decode()
    assert "check your email" in page
    assert "Subscribe to all your sessions" not in page and "webcal://" not in page
    assert victim.last_name not in page and victim.email not in page
    assert "(Asia/Tokyo)" in page  # the zone the booker sent, not the record's
    assert not CalendarFeed.objects.filter(kind=FeedKind.CLIENT, client=victim).exists()


def test_only_a_confirm_email_reaches_an_unproven_address(
    victim, borrower_therapist, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = public_booking(borrower_therapist, victim.email)
    (message,) = mail.outbox
    assert message.to == [victim.email]
    assert message.subject.startswith("Please confirm your booking request")
    body = message.body + message.alternatives[0][0]
    for private in ("Mallory", borrower_therapist.display_name, "Individual", "/intake/"):
        assert private not in body
    assert not message.attachments  # no .ics with the therapist and session in it
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    assert confirm_path(victim.email) == confirm_email_path(appointment)


def confirm_email_path(appointment) -> str:
    from booking.tokens import confirm_email_token

    return f"/book/confirm/{confirm_email_token(appointment.public_id)}/"


def test_the_booked_therapist_cannot_read_the_record_before_or_after_cancelling(
    victim, borrower_therapist, staff, client
):
    token = token_of(public_booking(borrower_therapist, victim.email))
    sign_in(client, staff["other_therapist"])
    for path in (
        f"/staff/clients/{victim.public_id}/",
        f"/api/v1/staff/clients/{victim.public_id}/",
        f"/api/v1/staff/clients/{victim.public_id}/clinical/",
    ):
        assert client.get(path).status_code == 404, path
    assert CLINICAL_ANSWER not in client.get("/staff/clients/").content.decode()
    APIClient().post(f"/api/v1/bookings/{token}/cancel/")
    assert client.get(f"/api/v1/staff/clients/{victim.public_id}/clinical/").status_code == 404


# --- the address's owner confirms ----------------------------------------------------


def test_confirming_joins_the_known_record_and_retires_the_on_screen_link(
    victim, borrower_therapist, client
):
    response = public_booking(borrower_therapist, victim.email, first="Quinn")
    on_screen = token_of(response)
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    contact_id = appointment.client_id
    redirect = confirm_email(client, appointment)
    appointment.refresh_from_db()
    assert appointment.client_id == victim.pk
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert not Client.objects.filter(pk=contact_id).exists()
    assert Client.objects.get(pk=victim.pk).time_zone == "Asia/Tokyo"  # as given this time
    retired = client.get(f"/book/manage/{on_screen}/")
    # Retired: it opens nothing, only says the booking is confirmed.
    assert retired.status_code == 410 and "Quinn" not in retired.content.decode()
    assert redirect["Location"] == (
        f"/book/manage/{manage_token(appointment)}/?booked=1"
        f"&at={int(appointment.start.timestamp())}"
    )
    page = client.get(redirect["Location"]).content.decode()
    assert "Subscribe to all your sessions" in page
    assert AuditEvent.objects.filter(client_ref=victim.pk, what="identity", via="link").exists()


def test_confirming_a_new_address_makes_the_contact_a_client(therapist, client, now):
    response = public_booking(therapist, "new-person@example.net")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    confirm_email(client, appointment)
    contact = Client.objects.get(pk=appointment.client_id)
    assert contact.verified_at == now and contact.link_nonce
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CONFIRMED


def test_a_confirmed_booking_widens_the_therapists_clients_but_only_while_it_stands(
    victim, borrower_therapist, staff, client
):
    """The owner of the address booked: their therapist may see them, until it is cancelled."""
    response = public_booking(borrower_therapist, victim.email, first="Quinn")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    confirm_email(client, appointment)
    therapist_client = sign_in(APIClient(), staff["other_therapist"])
    path = f"/api/v1/staff/clients/{victim.public_id}/clinical/"
    assert therapist_client.get(path).status_code == 200
    appointment.refresh_from_db()
    APIClient().post(f"/api/v1/bookings/{manage_token(appointment)}/cancel/")
    assert therapist_client.get(path).status_code == 404


def test_a_request_nobody_confirms_is_released_and_nobody_is_told(
    therapist, now, time_machine, django_capture_on_commit_callbacks
):
    response = public_booking(therapist, "typo@example.net")
    mail.outbox.clear()
    time_machine.move_to(now + timedelta(hours=24, minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert bookings_release_unconfirmed() == 1
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    assert appointment.status == AppointmentStatus.CANCELLED
    assert mail.outbox == []
    again = public_booking(therapist, "someone-else@example.net")
    assert again.status_code == 201


def test_a_lapsed_confirmation_link_says_so(therapist, now, time_machine, client):
    response = public_booking(therapist, "late@example.net")
    path = confirm_email_path(Appointment.objects.get(public_id=response.json()["id"]))
    time_machine.move_to(now + timedelta(hours=23), tick=False)
    assert client.get(path).status_code == 200
    time_machine.move_to(now + timedelta(hours=25), tick=False)
    page = client.get(path)
    assert page.status_code == 404
    assert "incomplete or has expired" in page.content.decode()


def test_staff_cannot_approve_a_request_whose_email_is_unconfirmed(therapist, now, staff, client):
    response = public_booking(therapist, "unproven@example.net")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    from booking.exceptions import NotChangeable
    from booking.scheduling.services import appointment_approve

    with pytest.raises(NotChangeable, match="not confirmed their email"):
        appointment_approve(appointment=appointment)


# --- links that can be retired -------------------------------------------------------


def test_the_client_replaces_their_links_from_a_proven_page(client, booked, now):
    from booking.feeds import feeds

    token = manage_token(booked)
    feed = feeds.feed_get_or_create(
        kind=FeedKind.CLIENT, practice=booked.practice, client=booked.client
    )
    old_feed = feeds.feed_urls(feed)["https"].split("booking.example", 1)[1]
    assert client.get(old_feed).status_code == 200
    response = client.post(f"/book/manage/{token}/new-links/")
    assert response.status_code == 302
    assert client.get(f"/book/manage/{token}/").status_code == 404
    assert client.get(old_feed).status_code == 404
    assert client.get(response["Location"]).status_code == 200


def test_staff_replace_a_clients_links(client, booked, staff):
    token = manage_token(booked)
    sign_in(client, staff["receptionist"])
    client.post(f"/staff/clients/{booked.client.public_id}/links/rotate/")
    assert client.get(f"/book/manage/{token}/").status_code == 404
    booked.client.refresh_from_db()
    assert client.get(f"/book/manage/{manage_token(booked)}/").status_code == 200


def test_a_manage_link_stops_30_days_after_its_session(client, booked, time_machine):
    token = manage_token(booked)
    time_machine.move_to(booked.end + timedelta(days=29), tick=False)
    assert client.get(f"/book/manage/{token}/").status_code == 200
    time_machine.move_to(booked.end + timedelta(days=31), tick=False)
    assert client.get(f"/book/manage/{token}/").status_code == 404


def test_a_client_feed_stops_30_days_after_the_last_session(client, booked, time_machine):
    from booking.feeds import feeds

    feed = feeds.feed_get_or_create(
        kind=FeedKind.CLIENT, practice=booked.practice, client=booked.client
    )
    path = feeds.feed_urls(feed)["https"].split("booking.example", 1)[1]
    time_machine.move_to(booked.end + timedelta(days=29), tick=False)
    assert client.get(path).status_code == 200
    time_machine.move_to(booked.end + timedelta(days=31), tick=False)
    assert client.get(path).status_code == 404


# --- intake links follow the address -----------------------------------------------


def test_a_changed_address_never_opens_answers_given_before(
    client, new_client, booked, staff, django_capture_on_commit_callbacks
):
    """The receptionist changes the email to her own and resends: the link shows nothing given."""
    intake = Intake.objects.get(client=new_client)
    intake_services.intake_save_answers(intake=intake, answers={"reason": CLINICAL_ANSWER})
    sign_in(client, staff["receptionist"])
    patched = client.patch(
        f"/api/v1/staff/clients/{new_client.public_id}/",
        {"email": "front-desk@example.org"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/clients/{new_client.public_id}/intake/resend/")
    (message,) = [m for m in mail.outbox if "/intake/" in m.body]
    link = message.body.split("https://booking.example", 1)[1].split()[0]
    for step in ("", "questions/", "wellbeing/"):
        assert CLINICAL_ANSWER not in client.get(link + step).content.decode()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.INVITED and intake.answers == {}
    opened = AuditEvent.objects.filter(client_ref=new_client.pk, what="intake", via="link")
    assert opened.filter(actor=staff["receptionist"], actor_role="receptionist").exists()


def test_an_unproven_contact_is_never_matched_by_staff_either(practice):
    """Staff creating a client with an address only an unproven contact has get a new record."""
    from clients.services import client_get_or_create

    contact = ClientFactory(practice=practice, email="shared@example.net", verified_at=None)
    made, _ = client_get_or_create(
        practice=practice,
        first_name="Real",
        last_name="Person",
        email="Shared@example.net",
        time_zone="UTC",
    )
    assert made.pk != contact.pk and made.is_verified


# --- found trying it as staff and clients would ----------------------------------


def test_staff_cannot_send_an_intake_link_to_an_unproven_address(
    client, victim, borrower_therapist, staff, django_capture_on_commit_callbacks
):
    """Seen: the receptionist's "Send a new intake link" on a contact mailed the known client."""
    response = public_booking(borrower_therapist, victim.email)
    contact = Appointment.objects.get(public_id=response.json()["id"]).client
    sign_in(client, staff["receptionist"])
    page = client.get(f"/staff/clients/{contact.public_id}/").content.decode()
    assert "Send a new intake link" not in page and "email not confirmed" in page.lower()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/staff/clients/{contact.public_id}/intake/resend/", follow=True)
    assert "not confirmed their email" in answer.content.decode()
    assert mail.outbox == [] and not Intake.objects.filter(client=contact).exists()


def test_no_message_but_the_confirmation_request_reaches_an_unproven_address(
    therapist, now, django_capture_on_commit_callbacks
):
    """Whatever schedules it: one check before every send (booking.notify.dispatch)."""
    from booking.models import Notification, NotificationKind, NotificationState
    from booking.notify.dispatch import notification_send
    from clients.models import Intake as IntakeModel

    response = public_booking(therapist, "unproven@example.net")
    contact = Appointment.objects.get(public_id=response.json()["id"]).client
    intake = IntakeModel.objects.create(practice=contact.practice, client=contact, invited_at=now)
    row = Notification.objects.create(
        intake=intake,
        kind=NotificationKind.INTAKE_INVITE,
        channel="email",
        due_at=now,
        state=NotificationState.SENDING,
    )
    mail.outbox.clear()
    assert notification_send(notification_id=row.pk) == "cancelled"
    assert mail.outbox == []


def test_a_used_confirmation_link_hands_out_no_links(client, therapist, now):
    """Seen: after "Replace my links", the old confirm link redirected to the new ones."""
    response = public_booking(therapist, "owner-of-address@example.net")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    confirm_email(client, appointment)
    appointment.refresh_from_db()
    client.post(f"/book/manage/{manage_token(appointment)}/new-links/")
    appointment.refresh_from_db()
    again = client.get(confirm_email_path(appointment))
    assert again.status_code == 200
    text = again.content.decode()
    assert "already confirmed" in text
    assert "/book/manage/" not in text and manage_token(appointment) not in text


def test_replacing_links_emails_the_new_one(client, booked, django_capture_on_commit_callbacks):
    token = manage_token(booked)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/book/manage/{token}/new-links/")
    (message,) = mail.outbox
    assert message.subject.startswith("Your new private link")
    booked.client.refresh_from_db()
    new_path = f"/book/manage/{manage_token(booked)}/"
    assert new_path in message.body and token not in message.body
    assert client.get(new_path).status_code == 200


def test_staff_see_a_request_waiting_for_its_email_as_such(client, therapist, now, staff):
    response = public_booking(therapist, "waiting@example.net")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    sign_in(client, staff["receptionist"])
    page = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "Waiting for the client to confirm their email" in page
    assert ">Approve<" not in page and "Pending approval" not in page


def test_a_cancelled_request_cannot_be_confirmed(client, therapist, now):
    response = public_booking(therapist, "changed-my-mind@example.net")
    appointment = Appointment.objects.get(public_id=response.json()["id"])
    path = confirm_email_path(appointment)
    APIClient().post(f"/api/v1/bookings/{token_of(response)}/cancel/")
    answer = client.post(path)
    assert answer.status_code == 409
    assert "was cancelled" in answer.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not appointment.client.is_verified
