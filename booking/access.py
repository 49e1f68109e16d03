"""Which sessions a staff member may see and act on, and whether a calendar may name the client.

Roles come from ``practice.access`` (StaffContext).
"""

from booking.models import Appointment
from practice.access import StaffContext


def appointments_visible(context: StaffContext):
    """Sessions whose details this staff member may see and act on."""
    appointments = Appointment.objects.filter(practice=context.practice)
    if context.is_therapist:
        appointments = appointments.filter(therapist=context.therapist)
    return appointments


def shows_client_of(context: StaffContext, appointment) -> bool:
    """Whether a calendar may name the client: not on another therapist's sessions."""
    return not context.is_therapist or appointment.therapist_id == context.therapist.pk
