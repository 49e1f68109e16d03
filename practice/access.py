"""Who may see what: the one place roles turn into permissions.

Every door to client data goes through here — the staff pages (``staff_required``
and the functions below), the REST API (``IsPracticeStaff`` and the same
functions) and the admin (owners only, practice.admin_site):

=================  ==========  ============  ======================  =====
                   client      receptionist  therapist               owner
=================  ==========  ============  ======================  =====
contact, schedule  own (link)  all clients   own clients             all
intake status,     own (link)  all clients   own clients             all
consent status
intake answers,    own (link)  —             own clients             all
scores, alerts
export, anonymise  —           —             —                       all
audit log          —           —             —                       all
calendars, hours,  —           everyone's    their own               all
sessions
=================  ==========  ============  ======================  =====

"Own clients" of a therapist: assigned to them (by staff, or by the client's
own booking once their email is proven), or with a session with them that is
requested, booked or has taken place — not a cancelled one. Nothing an
anonymous booker types reaches an existing record: a public booking makes a
new contact, joined to a record only when the address's owner confirms
(docs/architecture.md, "Who is booking"). Clients reach their own data only
through signed links (booking.tokens, clients.tokens).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import redirect
from django.utils import timezone
from rest_framework.permissions import BasePermission

from practice.models import ApiToken, Practice, StaffMember, StaffRole, Therapist
from practice.selectors import practice_current


@dataclass(frozen=True)
class StaffContext:
    user: object
    practice: Practice
    role: str
    therapist: Therapist | None
    two_factor_ok: bool

    @property
    def role_label(self) -> str:
        return StaffRole(self.role).label

    @property
    def is_owner(self) -> bool:
        return self.role == StaffRole.OWNER

    @property
    def is_receptionist(self) -> bool:
        return self.role == StaffRole.RECEPTIONIST

    @property
    def is_therapist(self) -> bool:
        return self.role == StaffRole.THERAPIST


def staff_context_for(request) -> StaffContext | None:
    """The signed-in user's role at their practice, or None for anyone else (cached per request)."""
    if hasattr(request, "_staff_context"):
        return request._staff_context
    request._staff_context = context = _context(request.user, by_token=_by_token(request))
    return context


def _by_token(request) -> bool:
    """An API token issued by an owner counts as the second factor (integrations have no phone)."""
    return isinstance(getattr(request, "auth", None), ApiToken)


def _context(user, *, by_token: bool = False) -> StaffContext | None:
    if not user.is_authenticated or not user.is_active:
        return None
    member = StaffMember.objects.select_related("practice").filter(user=user).first()
    if member is not None:
        practice, role = member.practice, member.role
    elif user.is_superuser and (practice := practice_current()) is not None:
        # The deployment's superuser acts as an owner of the practice it serves.
        role = StaffRole.OWNER
    else:
        return None
    therapist = None
    if role == StaffRole.THERAPIST:
        therapist = Therapist.objects.filter(user=user, practice=practice).first()
        if therapist is None:
            return None  # a therapist role without a therapist record sees nothing
    verified = getattr(user, "is_verified", lambda: False)()
    return StaffContext(
        user=user,
        practice=practice,
        role=role,
        therapist=therapist,
        two_factor_ok=verified or by_token or not practice.require_two_factor,
    )


# --- Clients ------------------------------------------------------------------------


def clients_visible(context: StaffContext) -> QuerySet:
    """The clients whose contact and scheduling data this staff member may see."""
    from booking.models import Appointment, AppointmentStatus
    from clients.models import Client

    clients = Client.objects.filter(practice=context.practice)
    if context.is_therapist:
        sessions_with_them = Appointment.objects.filter(
            client=OuterRef("pk"),
            therapist=context.therapist,
            status__in=(
                AppointmentStatus.PENDING,
                AppointmentStatus.CONFIRMED,
                AppointmentStatus.COMPLETED,
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


def can_export_or_anonymise(context: StaffContext) -> bool:
    return context.is_owner


def can_read_audit(context: StaffContext) -> bool:
    return context.is_owner


def client_or_404(context: StaffContext, public_id):
    """A visible client, or 404 (an invisible client is indistinguishable from none)."""
    from django.http import Http404

    from practice.parsing import uuid_or_none

    client = clients_visible(context).filter(public_id=uuid_or_none(public_id)).first()
    if client is None:
        raise Http404("No such client.")
    return client


# --- HTML views ---------------------------------------------------------------------


def staff_required(view=None, *, allow=None):
    """Signed-in practice staff who passed two-factor (where the practice requires it).

    ``allow``: a function of the StaffContext; False answers 403.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            context = staff_context_for(request)
            if context is None:
                raise PermissionDenied("This page is for practice staff.")
            if not context.two_factor_ok:
                return redirect("staff-two-factor")
            if allow is not None and not allow(context):
                raise PermissionDenied("Your role does not give access to this page.")
            request.staff = context
            # Times on staff pages read in the practice's zone.
            with timezone.override(context.practice.zone):
                return view_func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


# --- REST API -----------------------------------------------------------------------


class IsPracticeStaff(BasePermission):
    """Signed-in practice staff who passed two-factor; sets ``request.staff``."""

    message = "Sign in as practice staff (with two-factor authentication) to use this endpoint."

    role_message = "Your role does not give access to this endpoint."

    def has_permission(self, request, view):
        context = staff_context_for(request)
        if context is None or not context.two_factor_ok:
            return False
        request.staff = context
        allow = getattr(view, "staff_allow", None)
        if allow is None or allow(context):
            return True
        # Signed in (or a valid token) but the wrong role: say that, not "sign in".
        self.message = self.role_message
        return False


# --- Schedules ---------------------------------------------------------------------


def therapists_manageable(context: StaffContext):
    """Whose calendar and hours this staff member may run: a therapist their own,
    the front desk and owners everyone's."""
    therapists = Therapist.objects.filter(practice=context.practice, is_active=True)
    if context.is_therapist:
        return therapists.filter(pk=context.therapist.pk)
    return therapists


def appointments_visible(context: StaffContext):
    """Sessions whose details this staff member may see and act on."""
    from booking.models import Appointment

    appointments = Appointment.objects.filter(practice=context.practice)
    if context.is_therapist:
        appointments = appointments.filter(therapist=context.therapist)
    return appointments


def shows_client_of(context: StaffContext, appointment) -> bool:
    """Whether a calendar may name the client: not on another therapist's sessions."""
    return not context.is_therapist or appointment.therapist_id == context.therapist.pk


def can_run_practice_calendar(context: StaffContext) -> bool:
    """Practice-wide holidays and the front desk's views: the front desk and owners."""
    return context.is_owner or context.is_receptionist
