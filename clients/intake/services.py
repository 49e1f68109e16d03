"""Writes for intake: invitations, saving answers as they come, consent, screeners, review.

Every function that calls for a message writes its Notification row in the same
transaction and returns the ids due now; callers send them after commit (as
the booking services do), so a lost broker loses nothing.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from booking.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Channel,
    Notification,
    NotificationKind,
)
from booking.notify.notifications import reminder_due_at
from booking.notify.tasks import notifications_send_after_commit
from booking.scheduling.services import appointment_approve
from clients.intake import questions, screeners
from clients.models import (
    ABOUT_YOU_FIELDS,
    Client,
    ClientStatus,
    ConsentDocument,
    ConsentSignature,
    ConsentVersion,
    Intake,
    IntakeForm,
    IntakeFormVersion,
    IntakeStatus,
    SafetyAlert,
    ScreenerResult,
    new_link_nonce,
)
from practice.models import Practice

NUDGE_BEFORE = timedelta(hours=48)


class IntakeIncomplete(ValidationError):
    """Submission refused: the message lists what is still missing."""


# --- What the practice publishes --------------------------------------------------------


def intake_form_publish(*, form: IntakeForm, questions_list: list[dict]) -> IntakeFormVersion:
    """A new version of the form's questions; earlier submissions keep theirs."""
    questions.validate_questions(questions_list)
    with transaction.atomic():
        last = form.versions.select_for_update().order_by("-number").first()
        return IntakeFormVersion.objects.create(
            form=form, number=(last.number + 1) if last else 1, questions=questions_list
        )


def consent_publish(*, document: ConsentDocument, text: str) -> ConsentVersion:
    """A new version of a consent text: every client is asked to sign it again."""
    if not text.strip():
        raise ValidationError("A consent document needs its text.")
    with transaction.atomic():
        last = document.versions.select_for_update().order_by("-number").first()
        if last is not None and last.text == text:
            return last
        return ConsentVersion.objects.create(
            document=document, number=(last.number + 1) if last else 1, text=text
        )


def current_form_version(practice: Practice) -> IntakeFormVersion | None:
    return (
        IntakeFormVersion.objects.filter(form__practice=practice, form__is_active=True)
        .order_by("-number")
        .first()
    )


def current_consents(practice: Practice) -> list[ConsentVersion]:
    """The latest version of each of the practice's consent documents."""
    latest = {}
    versions = (
        ConsentVersion.objects.filter(document__practice=practice)
        .select_related("document")
        .order_by("document__kind", "-number")
    )
    for version in versions:
        latest.setdefault(version.document_id, version)
    return list(latest.values())


def consent_status(client: Client, current: list[ConsentVersion] | None = None) -> list[dict]:
    """Each current document and whether this client signed that exact version."""
    current = current_consents(client.practice) if current is None else current
    signed = set(
        ConsentSignature.objects.filter(client=client, version__in=current).values_list(
            "version_id", flat=True
        )
    )
    return [{"version": v, "document": v.document, "signed": v.pk in signed} for v in current]


def consents_complete(client: Client) -> bool:
    return all(s["signed"] for s in consent_status(client) if s["document"].is_required)


# --- Invitations -------------------------------------------------------------------------


def intake_for_booking(*, appointment: Appointment, now: datetime) -> list[int]:
    """Called in the booking transaction: a client without a therapist is assigned
    the one they booked; a new client gets an intake link; an unfinished intake
    gets a reminder 48 hours before this session."""
    client = appointment.client
    if client.assigned_therapist_id is None:
        Client.objects.filter(pk=client.pk, assigned_therapist__isnull=True).update(
            assigned_therapist=appointment.therapist
        )
        client.assigned_therapist = appointment.therapist
    if not appointment.practice.intake_enabled:
        return []
    intake = Intake.objects.filter(client=client).first()
    due_now = []
    if intake is None:
        intake = Intake.objects.create(
            practice=client.practice,
            client=client,
            form_version=current_form_version(client.practice),
            invited_at=now,
        )
        due_now.append(_notify(intake, NotificationKind.INTAKE_INVITE, now).pk)
    # Like a reminder: 48 real hours before, moved earlier out of the client's quiet hours.
    nudge_at = reminder_due_at(
        start=appointment.start,
        before=NUDGE_BEFORE,
        zone=client.zone,
        quiet_start=appointment.practice.quiet_hours_start,
        quiet_end=appointment.practice.quiet_hours_end,
    )
    if not intake.is_complete and nudge_at > now:
        _notify(intake, NotificationKind.INTAKE_NUDGE, nudge_at)
    return due_now


def intake_needed_before_confirming(client: Client) -> bool:
    if not client.practice.intake_enabled:
        return False
    intake = Intake.objects.filter(client=client).only("status").first()
    return intake is None or not intake.is_complete


def intake_resend(*, client: Client, now: datetime | None = None) -> Intake:
    """A fresh link by email (the old one stops working); the intake is made if there is none.

    Not for an unproven contact: their address gets nothing until its owner confirms.
    """
    now = now or timezone.now()
    if not client.is_verified:
        raise ValidationError(
            "This person has not confirmed their email yet, so no intake link can go to it."
        )
    with transaction.atomic():
        intake, _ = Intake.objects.select_for_update().get_or_create(
            client=client,
            defaults={
                "practice": client.practice,
                "form_version": current_form_version(client.practice),
                "invited_at": now,
            },
        )
        intake.link_nonce = new_link_nonce()
        intake.save(update_fields=["link_nonce", "updated_at"])
        notifications_send_after_commit([_notify(intake, NotificationKind.INTAKE_INVITE, now).pk])
    return intake


def _notify(intake: Intake, kind: str, due_at: datetime) -> Notification:
    return Notification.objects.create(
        intake=intake, kind=kind, channel=Channel.EMAIL, due_at=due_at
    )


# --- The client fills it in ---------------------------------------------------------------


def _started(intake: Intake, now: datetime) -> None:
    if intake.status == IntakeStatus.INVITED:
        intake.status = IntakeStatus.STARTED
        intake.started_at = now


def _editable(intake: Intake) -> None:
    if intake.status == IntakeStatus.REVIEWED:
        raise ValidationError("This intake has been reviewed; ask the practice to change it.")


ABOUT_REQUIRED = (
    "first_name",
    "last_name",
    "date_of_birth",
    "emergency_contact_name",
    "emergency_contact_phone",
)


def intake_save_about(*, intake: Intake, details: dict, now: datetime | None = None) -> list[str]:
    """Contact and emergency details go onto the client record. Returns the changed fields."""
    now = now or timezone.now()
    _editable(intake)
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=intake.client_id)
        changed = [f for f in ABOUT_YOU_FIELDS if f in details and getattr(client, f) != details[f]]
        for field in changed:
            setattr(client, field, details[field])
        client.save()
        intake.answers = {**intake.answers, "about_done": _about_done(client)}
        _started(intake, now)
        intake.save()
    intake.client = client
    return changed


def _about_done(client: Client) -> bool:
    return all(getattr(client, f) for f in ABOUT_REQUIRED)


def intake_save_answers(*, intake: Intake, answers: dict, now: datetime | None = None) -> None:
    now = now or timezone.now()
    _editable(intake)
    with transaction.atomic():
        intake.answers = {**intake.answers, "form": answers}
        _started(intake, now)
        intake.save()


def intake_save_screeners(
    *, intake: Intake, phq9: list, gad7: list, now: datetime | None = None
) -> SafetyAlert | None:
    """Save the items answered so far. A positive PHQ-9 item 9 raises the safety
    alert at once (before submission, never waiting for review)."""
    now = now or timezone.now()
    _editable(intake)
    alert_ids = []
    with transaction.atomic():
        intake.answers = {**intake.answers, "phq9": phq9, "gad7": gad7}
        _started(intake, now)
        intake.save()
        alert = None
        if screeners.self_harm_positive(phq9):
            alert, alert_ids = _raise_safety_alert(intake, now)
    notifications_send_after_commit(alert_ids)
    return alert


def _raise_safety_alert(intake: Intake, now: datetime) -> tuple[SafetyAlert, list[int]]:
    existing = SafetyAlert.objects.filter(intake=intake).first()
    if existing is not None:
        return existing, []
    client = intake.client
    alert = SafetyAlert.objects.create(
        practice=intake.practice,
        client=client,
        intake=intake,
        therapist=client.assigned_therapist,
        raised_at=now,
    )
    message = Notification.objects.create(
        safety_alert=alert,
        kind=NotificationKind.SAFETY_ALERT,
        channel=Channel.EMAIL,
        due_at=now,
    )
    return alert, [message.pk]


def safety_alert_acknowledge(*, alert: SafetyAlert, by, now: datetime | None = None) -> None:
    SafetyAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now(), acknowledged_by=by
    )


def consent_sign(
    *,
    intake: Intake,
    versions: list[ConsentVersion],
    typed_name: str,
    ip_address: str | None,
    user_agent: str,
    now: datetime | None = None,
) -> list[ConsentSignature]:
    now = now or timezone.now()
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise ValidationError("Type your full name to sign.")
    with transaction.atomic():
        signatures = []
        for version in versions:
            signature, _ = ConsentSignature.objects.get_or_create(
                client=intake.client,
                version=version,
                defaults={
                    "typed_name": typed_name,
                    "text_sha256": version.sha256,
                    "signed_at": now,
                    "ip_address": ip_address,
                    "user_agent": user_agent[:400],
                },
            )
            signatures.append(signature)
        _started(intake, now)
        intake.save()
    return signatures


def intake_missing(intake: Intake) -> list[str]:
    """What still stops submission, in words a client understands."""
    missing = []
    answers = intake.answers or {}
    if not _about_done(intake.client):
        missing.append("Your details: name, date of birth and an emergency contact")
    if intake.form_version is not None:
        unanswered = questions.missing_required(
            intake.form_version.questions, answers.get("form", {})
        )
        if unanswered:
            missing.append("Questionnaire: " + "; ".join(unanswered))
    for spec in screeners.MEASURES.values():
        items = answers.get(spec.code) or []
        if len(items) != len(spec.items) or any(i not in (0, 1, 2, 3) for i in items):
            missing.append(f"{spec.title}: every question")
    if not consents_complete(intake.client):
        missing.append("Consent: sign each document")
    return missing


def intake_submit(*, intake: Intake, now: datetime | None = None) -> list[ScreenerResult]:
    """Score the measures, mark the intake submitted, and release sessions waiting on it."""
    now = now or timezone.now()
    with transaction.atomic():
        intake = Intake.objects.select_for_update().select_related("client").get(pk=intake.pk)
        if intake.is_complete:
            return list(intake.screener_results.all())
        missing = intake_missing(intake)
        if missing:
            raise IntakeIncomplete(missing)
        results = [
            ScreenerResult.objects.create(
                practice=intake.practice,
                client=intake.client,
                intake=intake,
                measure=spec.code,
                result=screeners.score(spec, intake.answers[spec.code]),
                completed_at=now,
            )
            for spec in screeners.MEASURES.values()
        ]
        SafetyAlert.objects.filter(intake=intake, screener_result__isnull=True).update(
            screener_result=next(r for r in results if r.measure == "phq9")
        )
        intake.status = IntakeStatus.SUBMITTED
        intake.submitted_at = now
        intake.save()
        waiting = Appointment.objects.filter(
            client=intake.client, awaiting_intake=True, status__in=ACTIVE_STATUSES
        ).select_related("session_type")
        for appointment in waiting:
            Appointment.objects.filter(pk=appointment.pk).update(awaiting_intake=False)
            appointment.awaiting_intake = False
            if (
                appointment.status == AppointmentStatus.PENDING
                and not appointment.session_type.requires_approval
            ):
                appointment_approve(appointment=appointment, now=now)
    return results


def intake_mark_reviewed(*, intake: Intake, by, now: datetime | None = None) -> Intake:
    now = now or timezone.now()
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.status != IntakeStatus.SUBMITTED:
            raise ValidationError("Only a submitted intake can be marked reviewed.")
        intake.status = IntakeStatus.REVIEWED
        intake.reviewed_at = now
        intake.reviewed_by = by
        intake.save()
        Client.objects.filter(pk=intake.client_id, status=ClientStatus.PROSPECTIVE).update(
            status=ClientStatus.ACTIVE, updated_at=now
        )
    return intake
