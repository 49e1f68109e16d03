"""A client's rights over their data: export everything held, and erasure.

One home for the list of a client's personal fields (PERSONAL_FIELDS): export
writes them, erasure overwrites them.
"""

from django.db import transaction
from django.utils import timezone

from booking.scheduling.services import client_bookings_erase
from clients.models import Client, ClientStatus, Intake, ScreenerResult, new_link_nonce


def client_export(client: Client) -> dict:
    """Everything the practice holds about one client, decrypted, for a subject-access request."""
    intake = Intake.objects.filter(client=client).select_related("form_version").first()
    fields = [
        "first_name",
        "last_name",
        "preferred_name",
        "pronouns",
        "date_of_birth",
        "email",
        "phone",
        "address",
        "time_zone",
        "emergency_contact_name",
        "emergency_contact_phone",
        "emergency_contact_relationship",
        "status",
        "contact_consent_at",
        "sms_consent_at",
        "created_at",
        "updated_at",
    ]
    record = {f: _json(getattr(client, f)) for f in fields}
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
        for field, value in {
            "first_name": "Anonymised",
            "last_name": f"client {client.pk}",
            "preferred_name": "",
            "pronouns": "",
            "date_of_birth": None,
            "email": f"anonymised-{client.public_id}@invalid.example",
            "phone": "",
            "address": "",
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
            "emergency_contact_relationship": "",
            "contact_consent_at": None,
            "sms_consent_at": None,
            "sms_consent_by": None,
            "link_nonce": new_link_nonce(),
            "status": ClientStatus.DISCHARGED,
            "anonymised_at": now,
        }.items():
            setattr(client, field, value)
        client.save()
    return client
