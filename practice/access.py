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
    def who(self) -> str:
        """The signed-in person's name: theirs, else their therapist name, else the username."""
        name = self.user.get_full_name().strip()
        if not name and self.therapist is not None:
            name = self.therapist.display_name
        return name or self.user.get_username()

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


def can_run_practice_calendar(context: StaffContext) -> bool:
    """Practice-wide holidays and the front desk's views: the front desk and owners."""
    return context.is_owner or context.is_receptionist
