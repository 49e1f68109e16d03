"""A client's rights over their data: export everything held, and erasure.

Both read the one list of a client's personal fields (clients.models.PERSONAL_FIELDS):
export writes each, erasure overwrites each.
"""

from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from booking.models import AppointmentStatus
from booking.scheduling.services import client_bookings_erase
from clients.models import (
    PERSONAL_FIELDS,
    Client,
    ClientStatus,
    Intake,
    IntakeStatus,
    Measure,
    ScreenerResult,
    new_link_nonce,
)
from practice.display import stamp

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


# The readable export's words for the JSON's keys (anything else: its field's label).
LABELS = {
    "date_of_birth": "Date of birth",
    "time_zone": "Time zone",
    "contact_consent_at": "Agreed to be contacted",
    "sms_consent_at": "Agreed to text messages",
    "sms_consent_recorded_by": "Consent to texts recorded by",
    "status": "Status",
    "created_at": "Record created",
    "updated_at": "Record last changed",
    "assigned_therapist": "Therapist",
    "start": "Starts",
    "end": "Ends",
    "therapist": "Therapist",
    "session_type": "Session",
    "client_note": "Note from the client",
    "form_version": "Form version",
    "invited_at": "Invited",
    "submitted_at": "Submitted",
    "reviewed_at": "Reviewed",
    "measure": "Measure",
    "completed_at": "Completed",
    "score": "Score",
    "band": "Severity",
    "items": "Answers to each item",
    "document": "Document",
    "version": "Version",
    "text_sha256": "Text fingerprint (SHA-256)",
    "typed_name": "Signed as",
    "signed_at": "Signed",
    "ip_address": "From address",
    "user_agent": "Browser",
    "raised_at": "Raised",
    "acknowledged_at": "Followed up",
}
# Stored values that have words (statuses).
WORDS = {
    **dict(AppointmentStatus.choices),
    **dict(ClientStatus.choices),
    **dict(IntakeStatus.choices),
    **dict(Measure.choices),
    "staff": "a staff member",
    "client": "the client",
}


def client_export_readable(data: dict, *, zone) -> list[dict]:
    """The export (``client_export``'s dict) as a person reads it: labels, dates in
    ``zone`` naming it, "Yes"/"No", lists as words; each section a title and rows of
    (label, text), or, for lists of things, a table."""
    record = data["client"]
    sections = [{"title": "Record", "rows": _rows(record, zone)}]
    for title, key in (
        ("Sessions", "appointments"),
        ("Screeners", "screeners"),
        ("Consent signatures", "consents"),
        ("Safety alerts", "safety_alerts"),
    ):
        items = data[key]
        heads = list(items[0]) if items else []
        sections.append(
            {
                "title": title,
                "heads": [_label(k) for k in heads],
                "table": [[_plain(item.get(k), zone, k) for k in heads] for item in items],
            }
        )
    intake = data["intake"]
    if intake is not None:
        rows = _rows({k: v for k, v in intake.items() if k != "answers"}, zone)
        rows += [(a["question"], _plain(a["answer"], zone, "")) for a in intake["answers"]]
        sections.insert(1, {"title": "Intake", "rows": rows})
    else:
        sections.insert(1, {"title": "Intake", "rows": [("Intake", "None")]})
    return sections


def _rows(values: dict, zone) -> list[tuple[str, str]]:
    return [(_label(k), _plain(v, zone, k)) for k, v in values.items()]


def _label(key: str) -> str:
    if key in LABELS:
        return LABELS[key]
    try:
        return capfirst(Client._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return capfirst(key.replace("_", " "))


def _plain(value, zone, key: str) -> str:
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v, zone, "") for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_plain(v, zone, k)}" for k, v in value.items())
    if isinstance(value, str):
        if key in ("status", "sms_consent_recorded_by", "measure") and value in WORDS:
            return WORDS[value]
        when = _instant(value)
        if when is not None:
            return stamp(when, zone=zone)
        if len(value) == 10 and (day := _day(value)) is not None:
            return dateformat.format(day, "j F Y")
    return str(value)


def _instant(value: str):
    if len(value) < 16 or "T" not in value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _day(value: str):
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


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
