"""A client's rights over their data: export everything held, and erasure.

Both read the one list of a client's personal fields (clients.models.PERSONAL_FIELDS):
export writes each, erasure overwrites each.
"""

from django.db import transaction
from django.utils import timezone

from booking.scheduling.services import client_bookings_erase
from clients.models import (
    PERSONAL_FIELDS,
    Client,
    ClientStatus,
    Intake,
    ScreenerResult,
    new_link_nonce,
)

# The record's own bookkeeping, exported beside the personal fields.
RECORD_FIELDS = ("status", "created_at", "updated_at")


def client_export(client: Client) -> dict:
    """Everything the practice holds about one client, decrypted, for a subject-access request."""
    intake = Intake.objects.filter(client=client).select_related("form_version").first()
    record = {f: _json(getattr(client, f)) for f in (*PERSONAL_FIELDS, *RECORD_FIELDS)}
    # Who recorded the consent to texts: the client, or (not named here) a staff member.
    if client.sms_consent_at is not None:
        record["sms_consent_recorded_by"] = "staff" if client.sms_consent_by_id else "client"
    else:
        record["sms_consent_recorded_by"] = None
    record["assigned_therapist"] = (
        client.assigned_therapist.display_name if client.assigned_therapist else None
    )
    return {
        "client": record,
        "appointments": [
            {
                "start": _json(a.start),
                "end": _json(a.end),
                "therapist": a.therapist.display_name,
                "session_type": a.session_type.name,
                "status": a.status,
                "client_note": a.client_note,
            }
            for a in client.appointments.select_related("therapist", "session_type").order_by(
                "start"
            )
        ],
        "intake": None
        if intake is None
        else {
            "status": intake.status,
            "form_version": intake.form_version.number if intake.form_version else None,
            "answers": _answered(intake),
            "invited_at": _json(intake.invited_at),
            "submitted_at": _json(intake.submitted_at),
            "reviewed_at": _json(intake.reviewed_at),
        },
        "screeners": [
            {"measure": r.measure, "completed_at": _json(r.completed_at), **r.result}
            for r in ScreenerResult.objects.filter(client=client).order_by("completed_at")
        ],
        "consents": [
            {
                "document": s.version.document.title,
                "version": s.version.number,
                "text_sha256": s.text_sha256,
                "typed_name": s.typed_name,
                "signed_at": _json(s.signed_at),
                "ip_address": s.ip_address,
                "user_agent": s.user_agent,
            }
            for s in client.signatures.select_related("version__document").order_by("signed_at")
        ],
        "safety_alerts": [
            {"raised_at": _json(a.raised_at), "acknowledged_at": _json(a.acknowledged_at)}
            for a in client.safety_alerts.all()
        ],
    }


def _answered(intake: Intake) -> list[dict]:
    answers = (intake.answers or {}).get("form", {})
    asked = intake.form_version.questions if intake.form_version else []
    return [
        {"key": q["key"], "question": q["label"], "answer": answers.get(q["key"])} for q in asked
    ]


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def client_anonymise(*, client: Client, now=None) -> Client:
    """Erase a client's personal data on request; keep the practice's appointment history.

    Sessions stay (times, therapist, status: the practice's own records and the
    constraint's history), now pointing at an anonymous record. Future sessions
    are cancelled without notice (nobody is left to notify); intake answers,
    scores, alerts, signatures and the client's calendar feed are deleted;
    messages not yet sent are called off.
    """
    now = now or timezone.now()
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        client_bookings_erase(client=client, now=now)
        client.safety_alerts.all().delete()
        client.screener_results.all().delete()
        client.signatures.all().delete()
        if hasattr(client, "intake"):
            client.intake.delete()
        for field, value in _erased(client).items():
            setattr(client, field, value)
        client.sms_consent_by = None  # who recorded a consent that is gone
        client.link_nonce = new_link_nonce()
        client.status = ClientStatus.DISCHARGED
        client.anonymised_at = now
        client.save()
    return client


def _erased(client: Client) -> dict:
    """Every personal field's value after erasure: blank, or a placeholder where one is
    required (a name, an address that cannot receive mail, the practice's zone)."""
    placeholders = {
        "first_name": "Anonymised",
        "last_name": f"client {client.pk}",
        "email": f"anonymised-{client.public_id}@invalid.example",
        "time_zone": client.practice.time_zone,
    }
    erased = {}
    for name in PERSONAL_FIELDS:
        blank = None if Client._meta.get_field(name).null else ""
        erased[name] = placeholders.get(name, blank)
    return erased
