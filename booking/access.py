"""Which sessions, series and availability rows a staff member may see and act on,
and whether a calendar may name the client.

Roles come from ``practice.access`` (StaffContext). The rule for every door (pages
and API alike): what is not yours to see answers 404, so its existence is not
revealed; what you may see but not change answers 403 (a therapist and a
practice holiday).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from booking.models import Appointment, ExtraHours, Series, TimeOff
from practice.access import StaffContext, can_run_practice_calendar, therapists_manageable
from practice.parsing import int_or_none, uuid_or_none


def appointments_visible(context: StaffContext):
    """Sessions whose details this staff member may see and act on."""
    appointments = Appointment.objects.filter(practice=context.practice)
    if context.is_therapist:
        appointments = appointments.filter(therapist=context.therapist)
    return appointments


def appointment_or_404(context: StaffContext, public_id) -> Appointment:
    """One session this staff member may see, by its public id, or 404 (pages and API)."""
    found = (
        appointments_visible(context)
        .select_related("client", "therapist", "session_type", "room", "series")
        .filter(public_id=uuid_or_none(public_id))
        .first()
    )
    if found is None:
        raise Http404("No such session (that you may see).")
    return found


def series_or_404(context: StaffContext, public_id) -> Series:
    """A standing series of a therapist whose calendar this staff member runs, or 404."""
    found = (
        Series.objects.filter(
            practice=context.practice,
            therapist__in=therapists_manageable(context),
            public_id=uuid_or_none(public_id),
        )
        .select_related("client", "therapist", "session_type")
        .prefetch_related("appointments__client", "appointments__series")
        .first()
    )
    if found is None:
        raise Http404("No such series (that you may see).")
    return found


def shows_client_of(context: StaffContext, appointment) -> bool:
    """Whether a calendar may name the client: not on another therapist's sessions."""
    return not context.is_therapist or appointment.therapist_id == context.therapist.pk


def time_off_visible(context: StaffContext):
    """Time off this staff member sees: the practice's holidays and that of the
    therapists whose hours they run."""
    return TimeOff.objects.filter(practice=context.practice).filter(
        Q(therapist__isnull=True) | Q(therapist__in=therapists_manageable(context))
    )


def can_change_time_off(context: StaffContext, time_off: TimeOff) -> bool:
    """A therapist's own time off by whoever runs their hours; holidays by the front desk
    and owners."""
    return time_off.therapist_id is not None or can_run_practice_calendar(context)


def time_off_to_change(context: StaffContext, pk) -> TimeOff:
    """The time-off row to change: 404 if not visible, 403 if visible but not theirs to change."""
    time_off = time_off_visible(context).filter(pk=int_or_none(pk)).first()
    if time_off is None:
        raise Http404("No such time off (that you may see).")
    if not can_change_time_off(context, time_off):
        raise PermissionDenied("Only the front desk and owners change practice holidays.")
    return time_off


def extra_hours_to_change(context: StaffContext, pk) -> ExtraHours:
    """Extra hours of a therapist whose hours this staff member runs, or 404."""
    extra = (
        ExtraHours.objects.filter(therapist__in=therapists_manageable(context))
        .filter(pk=int_or_none(pk))
        .first()
    )
    if extra is None:
        raise Http404("No such extra hours (that you may see).")
    return extra
