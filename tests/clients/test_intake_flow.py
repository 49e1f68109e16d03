"""Intake from the client's side: the link, saving as they go, consent, screeners, submission."""

from datetime import timedelta

import pytest
from django.core import mail

from booking.models import (
    AppointmentStatus,
    Notification,
    NotificationKind,
    NotificationState,
)
from booking.notify.dispatch import notification_send, notifications_claim_due
from booking.scheduling.services import appointment_book
from clients.intake import services as intake_services
from clients.intake.services import current_consents
from clients.intake.tokens import intake_token
from clients.models import (
    AuditEvent,
    ConsentDocument,
    ConsentSignature,
    Intake,
    IntakeStatus,
    SafetyAlert,
    ScreenerResult,
)
from practice.models import StaffRole
from tests.clients.conftest import THURSDAY_10, intake_email, intake_link_from
from tests.factories import ClientFactory
from tests.support.staff import make_staff

ABOUT = {
    "first_name": "Quinn",
    "last_name": "Harlowe",
    "preferred_name": "Q",
    "pronouns": "they/them",
    "date_of_birth": "1991-06-14",
    "phone": "+1 202 555 0143",
    "address": "1 Example Street",
    "emergency_contact_name": "Rowan Harlowe",
    "emergency_contact_phone": "+1 202 555 0199",
    "emergency_contact_relationship": "sibling",
    "action": "next",
}
QUESTIONS = {
    "reason": "Stress at work",
    "previous_therapy": "no",
    "wellbeing": "5",
    "action": "next",
}


def wellbeing(phq9, gad7, action="next"):
    data = {f"phq9_{i}": str(v) for i, v in enumerate(phq9) if v is not None}
    data |= {f"gad7_{i}": str(v) for i, v in enumerate(gad7) if v is not None}
    return data | {"action": action}


def complete_everything(intake, *, reason="Stress at work", phq9=(1,) * 8 + (0,), gad7=(1,) * 7):
    """Every step done through the services (for tests about what happens after)."""
    intake_services.intake_save_about(
        intake=intake,
        details={
            "first_name": "Quinn",
            "last_name": "Harlowe",
            "date_of_birth": __import__("datetime").date(1991, 6, 14),
            "emergency_contact_name": "Rowan Harlowe",
            "emergency_contact_phone": "+12025550199",
        },
    )
    intake_services.intake_save_answers(
        intake=intake, answers={"reason": reason, "previous_therapy": False, "wellbeing": 5}
    )
    intake_services.intake_save_screeners(intake=intake, phq9=list(phq9), gad7=list(gad7))
    intake_services.consent_sign(
        intake=intake,
        versions=current_consents(intake.practice),
        typed_name="Quinn Harlowe",
        ip_address="198.51.100.7",
        user_agent="test",
    )


def test_a_first_booking_emails_a_signed_link_that_opens_the_forms(client, booked):
    email = intake_email()
    assert email.to == ["quinn@example.org"]
    link = intake_link_from(email)
    page = client.get(link)
    assert page.status_code == 200
    assert "Your intake forms" in page.content.decode()
    assert Intake.objects.get(client=booked.client).status == IntakeStatus.INVITED


def test_the_first_booking_assigns_the_booked_therapist(booked, therapist):
    booked.client.refresh_from_db()
    assert booked.client.assigned_therapist == therapist


def test_a_returning_client_is_not_invited_again(
    booked, therapist, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            therapist=therapist,
            session_type=therapist.session_types.get(),
            client=booked.client,
            start=THURSDAY_10 + timedelta(days=7),
        )
    assert not [m for m in mail.outbox if "/intake/" in m.body]
    assert Intake.objects.filter(client=booked.client).count() == 1


def test_answers_are_saved_step_by_step_and_partial_answers_survive(client, booked):
    link = intake_link_from(intake_email())
    response = client.post(link + "about/", ABOUT)
    assert response.status_code == 302 and response["Location"].endswith("/questions/")
    booked.client.refresh_from_db()
    assert (booked.client.pronouns, booked.client.emergency_contact_phone) == (
        "they/them",
        "+12025550199",
    )
    # Half the questionnaire, then "finish later": kept without the required ones.
    response = client.post(link + "questions/", {"reason": "Sleep", "action": "later"})
    assert response.status_code == 302
    intake = Intake.objects.get(client=booked.client)
    assert intake.status == IntakeStatus.STARTED
    assert intake.answers["form"] == {"reason": "Sleep"}
    page = client.get(link + "questions/").content.decode()
    assert "Sleep" in page
    # "Save and continue" insists on the required answers, and keeps what was typed.
    response = client.post(link + "questions/", {"reason": "Sleep better", "action": "next"})
    assert response.status_code == 400
    assert "Sleep better" in response.content.decode()
    assert "Please answer this question" in response.content.decode()


def test_submission_lists_what_is_missing_then_scores_and_completes(client, booked):
    link = intake_link_from(intake_email())
    response = client.post(link + "submit/")
    assert response.status_code == 422
    text = response.content.decode()
    assert "PHQ-9: every question" in text and "Consent" in text
    client.post(link + "about/", ABOUT)
    client.post(link + "questions/", QUESTIONS)
    phq9, gad7 = [2, 2, 1, 1, 1, 1, 1, 1, 0], [3, 3, 2, 2, 1, 1, 0]
    assert client.post(link + "wellbeing/", wellbeing(phq9, gad7)).status_code == 302
    versions = current_consents(booked.practice)
    consent = {f"agree_{v.pk}": "1" for v in versions} | {"typed_name": "Quinn Harlowe"}
    response = client.post(
        link + "consent/", consent | {"action": "next"}, HTTP_USER_AGENT="Firefox/140"
    )
    assert response.status_code == 302
    assert client.post(link + "submit/").status_code == 302
    intake = Intake.objects.get(client=booked.client)
    assert intake.status == IntakeStatus.SUBMITTED
    scores = {
        r.measure: (r.result["score"], r.result["band"]) for r in ScreenerResult.objects.all()
    }
    assert scores == {"phq9": (10, "moderate"), "gad7": (12, "moderate")}
    signature = ConsentSignature.objects.get(version=versions[0])
    assert (signature.typed_name, signature.user_agent, signature.ip_address) == (
        "Quinn Harlowe",
        "Firefox/140",
        "127.0.0.1",
    )
    assert signature.text_sha256 == versions[0].sha256 and len(signature.text_sha256) == 64
    assert "Thank you" in client.get(link).content.decode()
    assert AuditEvent.objects.filter(what="intake_submitted", actor_role="client").exists()


def test_the_consent_step_needs_each_required_box_and_a_typed_name(client, booked):
    link = intake_link_from(intake_email())
    (first, second) = current_consents(booked.practice)
    response = client.post(
        link + "consent/", {f"agree_{first.pk}": "1", "typed_name": "Q", "action": "next"}
    )
    assert response.status_code == 400
    assert "Privacy notice" in response.content.decode()
    assert not ConsentSignature.objects.exists()
    response = client.post(
        link + "consent/",
        {f"agree_{first.pk}": "1", f"agree_{second.pk}": "1", "typed_name": "", "action": "next"},
    )
    assert response.status_code == 400 and not ConsentSignature.objects.exists()


def test_a_changed_consent_document_asks_for_a_new_signature(booked):
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake)
    assert intake_services.consents_complete(booked.client)
    document = ConsentDocument.objects.get(kind="privacy_notice")
    new = intake_services.consent_publish(document=document, text="A new privacy notice.")
    assert new.number == 2
    assert not intake_services.consents_complete(booked.client)
    status = {
        s["document"].kind: s["signed"] for s in intake_services.consent_status(booked.client)
    }
    assert status == {"informed_consent": True, "privacy_notice": False}
    # Publishing the same text again is not a new version.
    assert intake_services.consent_publish(document=document, text="A new privacy notice.") == new


def test_a_positive_item_nine_alerts_the_therapist_at_once_and_shows_crisis_resources(
    client, booked, therapist, django_capture_on_commit_callbacks
):
    booked.client.assigned_therapist = therapist
    booked.client.save()
    therapist.user.email = "therapist@practice.example"
    therapist.user.save()
    link = intake_link_from(intake_email())
    mail.outbox.clear()
    # Only item 9 answered, and "finish later": still acted on, at once.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link + "wellbeing/", wellbeing([None] * 8 + [2], [None] * 7))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "988" in page
        and 'id="crisis"' in page
        and 'id="crisis" class="alert-danger" role="alert" aria-labelledby="crisis-h" hidden'
        not in page
    )
    (alert_email,) = mail.outbox
    assert alert_email.to == ["therapist@practice.example"]
    assert "Quinn" not in alert_email.body and "Harlowe" not in alert_email.body
    assert f"/staff/clients/{booked.client.public_id}/" in alert_email.body
    alert = SafetyAlert.objects.get()
    assert alert.acknowledged_at is None
    # Saving again does not raise a second alert or a second email.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link + "wellbeing/", wellbeing([None] * 8 + [3], [None] * 7))
    assert SafetyAlert.objects.count() == 1 and len(mail.outbox) == 1


def test_without_an_assigned_therapist_the_owner_is_alerted(
    booked, intake_practice, django_capture_on_commit_callbacks
):
    owner = make_staff(intake_practice, StaffRole.OWNER, email="owner@practice.example")
    booked.client.assigned_therapist = None
    booked.client.save()
    intake = Intake.objects.get(client=booked.client)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.intake_save_screeners(intake=intake, phq9=[0] * 8 + [1], gad7=[None] * 7)
    (alert_email,) = mail.outbox
    assert alert_email.to == [owner.email]


def test_a_session_type_can_wait_for_intake_before_it_is_confirmed(
    now, therapist, new_client, django_capture_on_commit_callbacks
):
    session_type = therapist.session_types.get()
    session_type.requires_intake = True
    session_type.save()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            therapist=therapist, session_type=session_type, client=new_client, start=THURSDAY_10
        )
    assert (appointment.status, appointment.awaiting_intake) == (AppointmentStatus.PENDING, True)
    intake = Intake.objects.get(client=new_client)
    complete_everything(intake)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.intake_submit(intake=intake)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.awaiting_intake) == (AppointmentStatus.CONFIRMED, False)
    assert [m.subject for m in mail.outbox if "is booked" in m.subject]


def test_an_unfinished_intake_is_nudged_48_hours_before_the_session_and_only_then(
    booked, time_machine
):
    nudge = Notification.objects.get(kind=NotificationKind.INTAKE_NUDGE)
    assert nudge.due_at == THURSDAY_10 - timedelta(hours=48)
    time_machine.move_to(nudge.due_at + timedelta(minutes=1), tick=False)
    mail.outbox.clear()
    for notification_id in notifications_claim_due():
        notification_send(notification_id=notification_id)
    nudges = [m for m in mail.outbox if m.subject.startswith("Reminder: your intake")]
    assert len(nudges) == 1 and "/intake/" in nudges[0].body


def test_a_finished_intake_is_not_nudged(booked, time_machine):
    intake = Intake.objects.get(client=booked.client)
    complete_everything(intake)
    intake_services.intake_submit(intake=intake)
    nudge = Notification.objects.get(kind=NotificationKind.INTAKE_NUDGE)
    time_machine.move_to(nudge.due_at + timedelta(minutes=1), tick=False)
    mail.outbox.clear()
    for notification_id in notifications_claim_due():
        notification_send(notification_id=notification_id)
    nudge.refresh_from_db()
    assert nudge.state == NotificationState.CANCELLED
    assert not [m for m in mail.outbox if "/intake/" in m.body]


def test_an_expired_or_replaced_link_says_so_and_opens_nothing(
    client, booked, time_machine, settings
):
    link = intake_link_from(intake_email())
    intake = Intake.objects.get(client=booked.client)
    intake_services.intake_resend(client=booked.client)
    response = client.get(link)
    assert response.status_code == 404 and "incomplete or has expired" in response.content.decode()
    intake.refresh_from_db()
    fresh = f"/intake/{intake_token(intake)}/"
    assert client.get(fresh).status_code == 200
    time_machine.move_to(
        booked.created_at + timedelta(days=settings.INTAKE_LINK_MAX_AGE_DAYS, hours=1), tick=False
    )
    response = client.get(fresh)
    assert response.status_code == 404 and "expired" in response.content.decode()


@pytest.mark.parametrize("token", ["x", "not-a-token", "a" * 200, "a.b:c"])
def test_a_tampered_link_is_a_clear_404(client, booked, token):
    response = client.get(f"/intake/{token}/")
    assert response.status_code == 404 and "incomplete or has expired" in response.content.decode()


def test_one_clients_link_never_opens_another_clients_intake(client, booked, intake_practice):
    other = ClientFactory(practice=intake_practice)
    other_intake = Intake.objects.create(
        practice=intake_practice, client=other, invited_at=booked.created_at
    )
    link = intake_link_from(intake_email())
    client.post(link + "about/", ABOUT)
    other.refresh_from_db()
    assert other.pronouns == "" and other_intake.answers == {}
