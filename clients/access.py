"""Who may see a client, and which parts of their record: the one home of that rule.

Roles come from ``practice.access`` (StaffContext); a therapist's own clients are
those assigned to them or with a session with them that is requested, booked or
took place. Every door uses these: staff pages, the staff API, the admin.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from booking.models import Appointment, AppointmentStatus
from clients.audit import audit
from clients.models import AuditAction, Client
from practice.access import StaffContext
from practice.parsing import uuid_or_none


def clients_visible(context: StaffContext) -> QuerySet:
    """The clients whose contact and scheduling data this staff member may see."""
    clients = Client.objects.filter(practice=context.practice)
    if context.is_therapist:
        sessions_with_them = Appointment.objects.filter(
            client=OuterRef("pk"),
            therapist=context.therapist,
            status__in=(
                AppointmentStatus.PENDING,
                AppointmentStatus.CONFIRMED,
                AppointmentStatus.ATTENDED,
                AppointmentStatus.NO_SHOW,
            ),
        )
        clients = clients.filter(
            Q(assigned_therapist=context.therapist) | Exists(sessions_with_them)
        )
    return clients


def can_see_client(context: StaffContext, client) -> bool:
    return clients_visible(context).filter(pk=client.pk).exists()


def can_see_clinical(context: StaffContext, client) -> bool:
    """Intake answers, screener scores and safety alerts: owners and the client's therapists."""
    if context.is_owner:
        return client.practice_id == context.practice.pk
    if context.is_therapist:
        return can_see_client(context, client)
    return False


def can_run_intake(context: StaffContext) -> bool:
    """Resend links, mark reviewed, assign a therapist: the front desk and owners."""
    return context.is_owner or context.is_receptionist


def can_add_clients(context: StaffContext) -> bool:
    """The front desk and owners; therapists too when the practice allows it (solo practices)."""
    return can_run_intake(context) or (
        context.is_therapist and context.practice.therapists_add_clients
    )


def can_export_or_anonymise(context: StaffContext) -> bool:
    return context.is_owner


def can_read_audit(context: StaffContext) -> bool:
    return context.is_owner


def client_or_404(context: StaffContext, public_id, *, request=None):
    """A visible client, or 404 (an invisible client is indistinguishable from none).

    With ``request``, an attempt at a client of the practice this staff member
    may not see is written to the audit trail as ``denied`` (owners read it;
    the answer is the same 404, so it tells the one asking nothing).
    """
    client = clients_visible(context).filter(public_id=uuid_or_none(public_id)).first()
    if client is None:
        if request is not None:
            _record_denied(request, context, public_id)
        raise Http404("No such client.")
    return client


def _record_denied(request, context: StaffContext, public_id) -> None:
    hidden = Client.objects.filter(
        practice=context.practice, public_id=uuid_or_none(public_id)
    ).first()
    if hidden is not None:
        via = "api" if request.path.startswith("/api/") else "html"
        audit(request, action=AuditAction.DENIED, what="record", client=hidden, via=via)
