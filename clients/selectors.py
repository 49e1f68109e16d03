"""Reads of client data, always through practice.access's scoping."""

from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from booking.access import appointments_visible
from booking.models import ACTIVE_STATUSES, Appointment, AppointmentStatus
from clients.access import clients_visible
from clients.intake import questions, screeners
from clients.intake.services import consent_status, current_consents
from clients.models import (
    Client,
    ConsentSignature,
    Intake,
    IntakeStatus,
    SafetyAlert,
    ScreenerResult,
)
from practice.access import StaffContext
from practice.display import own_time


def client_search(context: StaffContext, query: str = "") -> QuerySet[Client]:
    """Visible clients matching a name, email or phone fragment, with their next session."""
    clients = clients_visible(context).filter(anonymised_at__isnull=True)
    query = " ".join(query.split())
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = Q(email__icontains=query)
        for word in query.split():
            match |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
            match |= Q(preferred_name__icontains=word)
        if len(digits) >= 4:
            match |= Q(phone__contains=digits[-7:])
        clients = clients.filter(match)
    return clients.annotate(next_session=_next_session()).select_related(
        "assigned_therapist", "intake"
    )


def _next_session(client_field: str = "pk"):
    """The start of the client's next active session (the client found by ``client_field``)."""
    return Subquery(
        Appointment.objects.filter(
            client=OuterRef(client_field), status__in=ACTIVE_STATUSES, start__gte=timezone.now()
        )
        .order_by("start")
        .values("start")[:1]
    )


def intake_queue(context: StaffContext, *, include_reviewed: bool = False) -> list[dict]:
    """New clients and where each stands: intake status, consent, next session."""
    intakes = (
        Intake.objects.filter(client__in=clients_visible(context), client__anonymised_at=None)
        .select_related("client", "client__assigned_therapist")
        .annotate(next_session=_next_session("client"))
        .order_by("next_session", "invited_at")
    )
    if not include_reviewed:
        intakes = intakes.exclude(status=IntakeStatus.REVIEWED)
    intakes = list(intakes)
    current = current_consents(context.practice)
    required = [v for v in current if v.document.is_required]
    signed = set(
        ConsentSignature.objects.filter(
            client__in=[i.client_id for i in intakes], version__in=required
        ).values_list("client_id", "version_id")
    )
    return [
        {
            "intake": intake,
            "client": intake.client,
            "next_session": intake.next_session,
            "consent_complete": all((intake.client_id, v.pk) in signed for v in required),
        }
        for intake in intakes
    ]


def client_appointments(client: Client, context: StaffContext) -> QuerySet[Appointment]:
    """The client's sessions; a therapist sees only their own sessions' details."""
    appointments = client.appointments.select_related(
        "therapist", "session_type", "cancel_reason_by"
    ).order_by("-start")
    if context.is_therapist:
        appointments = appointments.filter(therapist=context.therapist)
    return appointments


def intake_admin_view(client: Client) -> dict:
    """What the front desk may see of an intake: status, consent, administrative answers."""
    intake = Intake.objects.filter(client=client).select_related("form_version").first()
    admin_answers = []
    if intake is not None and intake.form_version is not None:
        answers = (intake.answers or {}).get("form", {})
        admin_answers = [
            {"label": q["label"], "value": answers.get(q["key"])}
            for q in intake.form_version.questions
            if questions.is_admin(q)
        ]
    return {
        "intake": intake,
        "consents": consent_status(client),
        "admin_answers": admin_answers,
    }


def intake_clinical_view(client: Client) -> dict:
    """The clinical part: the form's other answers, screener history, safety alerts."""
    intake = Intake.objects.filter(client=client).select_related("form_version").first()
    clinical_answers = []
    pending_items = {}
    if intake is not None:
        stored = intake.answers or {}
        if intake.form_version is not None:
            answers = stored.get("form", {})
            clinical_answers = [
                {"label": q["label"], "value": answers.get(q["key"]), "type": q["type"]}
                for q in intake.form_version.questions
                if not questions.is_admin(q)
            ]
        if not intake.is_complete:
            pending_items = {code: stored.get(code) for code in screeners.MEASURES}
    results = ScreenerResult.objects.filter(client=client).order_by("measure", "completed_at")
    history = {code: [] for code in screeners.MEASURES}
    for result in results:
        history[result.measure].append(result)
    return {
        "clinical_answers": clinical_answers,
        "history": [
            {
                "spec": screeners.MEASURES[code],
                "results": items,
                "latest": items[-1] if items else None,
            }
            for code, items in history.items()
        ],
        "pending_items": pending_items,
        "alerts": list(SafetyAlert.objects.filter(client=client).select_related("acknowledged_by")),
    }


def open_safety_alerts(context: StaffContext) -> QuerySet[SafetyAlert]:
    """Unacknowledged alerts this staff member must see: a therapist's own, all for owners."""
    alerts = SafetyAlert.objects.filter(
        practice=context.practice, acknowledged_at__isnull=True
    ).select_related("client")
    if context.is_therapist:
        alerts = alerts.filter(
            Q(therapist=context.therapist) | Q(client__in=clients_visible(context))
        )
    elif not context.is_owner:
        return alerts.none()
    return alerts.order_by("raised_at")


def _today(now, zone) -> tuple[datetime, datetime]:
    """The instants that bound ``now``'s local day in ``zone``."""
    day = now.astimezone(zone).date()
    return (
        datetime.combine(day, time(0), tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone),
    )


def today_sessions(context: StaffContext, *, now, zone=None) -> list[dict]:
    """Today's sessions (in ``zone``, by default the practice's) with intake and consent status.

    A therapist sees their own; the front desk and owners everyone's. Four
    queries, whatever the day holds.
    """
    zone = zone or context.practice.zone
    start, end = _today(now, zone)
    sessions = list(
        appointments_visible(context)
        .filter(
            start__gte=start,
            start__lt=end,
            status__in=[*ACTIVE_STATUSES, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW],
        )
        .select_related("client", "client__intake", "therapist", "session_type")
        .order_by("start")
    )
    required = [v for v in current_consents(context.practice) if v.document.is_required]
    signed = set(
        ConsentSignature.objects.filter(
            client__in=[a.client_id for a in sessions], version__in=required
        ).values_list("client_id", "version_id")
    )
    rows = []
    for appointment in sessions:
        intake = getattr(appointment.client, "intake", None)
        rows.append(
            {
                "appointment": appointment,
                "local": appointment.start.astimezone(zone),
                "own": own_time(
                    appointment.start, shown_zone=zone, own_zone=appointment.therapist.zone
                ),
                "intake": intake,
                "consent_complete": all((appointment.client_id, v.pk) in signed for v in required),
                "unconfirmed": appointment.status == "pending",
            }
        )
    return rows


def today_cancellations(context: StaffContext, *, now, zone=None) -> list[dict]:
    """Sessions cancelled today (in ``zone``), whatever day they were for, with the
    client's reason if given; the latest cancellation first.

    "Today" is when the cancellation was made (``cancelled_at``), not the session's
    start: the desk sees next Tuesday's cancellation the day it comes in. The same
    visibility as ``today_sessions``: a therapist sees their own.
    """
    zone = zone or context.practice.zone
    start, end = _today(now, zone)
    cancelled = (
        appointments_visible(context)
        .filter(
            cancelled_at__gte=start,
            cancelled_at__lt=end,
            status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED],
        )
        .select_related("client", "therapist", "session_type", "cancel_reason_by")
        .order_by("-cancelled_at")
    )
    return [
        {
            "appointment": appointment,
            "local": appointment.start.astimezone(zone),
            "own": own_time(
                appointment.start, shown_zone=zone, own_zone=appointment.therapist.zone
            ),
            "cancelled_local": appointment.cancelled_at.astimezone(zone),
        }
        for appointment in cancelled
    ]


def requests_to_approve(context: StaffContext, *, now, zone=None) -> list[dict]:
    """Session requests someone must approve or decline (the top of Today), oldest first.

    Pending, its address proven and not waiting for intake (so only a yes or
    no is missing), still to come. A therapist sees their own; the front desk
    and owners everyone's.
    """
    zone = zone or context.practice.zone
    waiting = (
        appointments_visible(context)
        .filter(
            status=AppointmentStatus.PENDING,
            email_confirm_by__isnull=True,
            awaiting_intake=False,
            start__gt=now,
        )
        .select_related("client", "therapist", "session_type")
        .order_by("created_at")
    )
    return [
        {
            "appointment": a,
            "local": a.start.astimezone(zone),
            "own": own_time(a.start, shown_zone=zone, own_zone=a.therapist.zone),
        }
        for a in waiting
    ]


OUTCOME_LOOKBACK_DAYS = 30


def sessions_awaiting_outcome(context: StaffContext, *, now, zone=None, limit=50) -> list[dict]:
    """ "Mark attendance": booked sessions that have started and have no outcome yet, from the
    last ``OUTCOME_LOOKBACK_DAYS`` days, the most recent first. A therapist sees their own."""
    zone = zone or context.practice.zone
    rows = (
        appointments_visible(context)
        .filter(
            status=AppointmentStatus.CONFIRMED,
            start__lte=now,
            start__gte=now - timedelta(days=OUTCOME_LOOKBACK_DAYS),
        )
        .select_related("client", "therapist", "session_type")
        .order_by("-start")[:limit]
    )
    return [
        {
            "appointment": a,
            "local": a.start.astimezone(zone),
            "own": own_time(a.start, shown_zone=zone, own_zone=a.therapist.zone),
        }
        for a in rows
    ]


def client_ids_named(practice, text: str) -> list[int]:
    """Ids of the practice's clients whose name (or email) holds every word of ``text``
    ("ines calendar" finds Ines Calendartest): the audit log's search by name, resolved here
    so an owner never needs an internal id. Erased clients have no name left to find."""
    clients = Client.objects.filter(practice=practice)
    for word in text.split():
        clients = clients.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(email__icontains=word)
        )
    return list(clients.values_list("pk", flat=True)[:200])


def client_names(ids) -> dict[int, str]:
    """The name each client id reads as in the audit log ("erased" once erased)."""
    return {
        c.pk: ("erased" if c.anonymised_at else c.display_name)
        for c in Client.objects.filter(pk__in=[i for i in ids if i is not None])
    }
