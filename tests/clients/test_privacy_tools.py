"""A client's data on request: exported whole, or erased while the practice's history stays."""

from datetime import timedelta

from booking.models import Appointment, AppointmentStatus, Notification, NotificationState
from booking.scheduling.services import appointment_book
from clients.intake import services as intake_services
from clients.models import (
    AuditEvent,
    Client,
    ConsentSignature,
    Intake,
    SafetyAlert,
    ScreenerResult,
)
from tests.clients.conftest import THURSDAY_10
from tests.clients.test_intake_flow import complete_everything
from tests.support.staff import sign_in


def submit(client_record, phq9=(0,) * 8 + (2,)):
    intake = Intake.objects.get(client=client_record)
    complete_everything(intake, reason="Since the divorce", phq9=phq9)
    intake_services.intake_submit(intake=intake)


def test_the_export_holds_record_sessions_answers_scores_and_signatures(client, booked, staff):
    submit(booked.client)
    sign_in(client, staff["owner"])
    response = client.get(f"/staff/clients/{booked.client.public_id}/export.json")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["client"]["email"] == "quinn@example.org"
    assert [a["start"] for a in data["appointments"]] == [THURSDAY_10.isoformat()]
    assert {"question": "What brings you to therapy now?", "answer": "Since the divorce"} in [
        {k: a[k] for k in ("question", "answer")} for a in data["intake"]["answers"]
    ]
    assert {s["measure"]: s["score"] for s in data["screeners"]} == {"phq9": 2, "gad7": 7}
    assert len(data["consents"]) == 2 and data["consents"][0]["typed_name"] == "Quinn Harlowe"
    assert len(data["safety_alerts"]) == 1
    readable = client.get(f"/staff/clients/{booked.client.public_id}/export.html")
    text = readable.content.decode()
    assert "Since the divorce" in text and "Informed consent to treatment" in text


def test_erasing_keeps_past_sessions_cancels_future_ones_and_removes_the_rest(
    client, booked, staff, therapist, time_machine
):
    submit(booked.client)
    later = appointment_book(
        therapist=therapist,
        session_type=therapist.session_types.get(),
        client=booked.client,
        start=THURSDAY_10 + timedelta(days=14),
    )
    time_machine.move_to(THURSDAY_10 + timedelta(days=1), tick=False)
    sign_in(client, staff["owner"])
    page = client.get(f"/staff/clients/{booked.client.public_id}/anonymise/")
    assert "cannot be undone" in page.content.decode()
    refused = client.post(f"/staff/clients/{booked.client.public_id}/anonymise/", {"confirm": "x"})
    assert (
        refused.status_code == 302 and Client.objects.get(pk=booked.client.pk).anonymised_at is None
    )
    client.post(f"/staff/clients/{booked.client.public_id}/anonymise/", {"confirm": "ERASE"})

    erased = Client.objects.get(pk=booked.client.pk)
    assert erased.anonymised_at is not None
    assert "Quinn" not in str(erased.__dict__) and "quinn@example.org" not in str(erased.__dict__)
    assert erased.email.endswith("@invalid.example") and erased.status == "discharged"
    for model in (Intake, ScreenerResult, ConsentSignature, SafetyAlert):
        assert not model.objects.filter(client=erased).exists()
    # The practice's history: the past session stays as it was; the future one is cancelled.
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.CONFIRMED
    assert Appointment.objects.get(pk=later.pk).status == AppointmentStatus.CANCELLED
    assert not Notification.objects.filter(
        appointment__client=erased, state=NotificationState.SCHEDULED
    ).exists()
    assert AuditEvent.objects.filter(action="anonymise", client_ref=erased.pk).exists()
    # Gone from search.
    assert "0 clients" in client.get("/staff/clients/?q=Harlowe").content.decode()


def test_only_the_owner_can_erase(client, booked, staff):
    sign_in(client, staff["receptionist"])
    response = client.post(
        f"/staff/clients/{booked.client.public_id}/anonymise/", {"confirm": "ERASE"}
    )
    assert response.status_code == 403
    assert Client.objects.get(pk=booked.client.pk).anonymised_at is None
