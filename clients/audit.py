"""Writing the audit trail: who saw, changed or exported which client's data.

Only names of parts and fields are recorded, never values (the log must not
become a second, unencrypted copy of the record).
"""

from django.utils import timezone

from clients.models import AuditAction, AuditEvent
from practice.logging import request_id
from practice.ratelimit import client_address


def client_ip(request) -> str | None:
    """The client's address by the rate limits' rule (NUM_PROXIES from the right)."""
    return client_address(request) or None


def audit(
    request,
    *,
    action: AuditAction,
    what: str,
    client=None,
    fields=(),
    via: str = "html",
    practice=None,
) -> AuditEvent:
    staff = getattr(request, "staff", None)
    user = request.user if request.user.is_authenticated else None
    if staff is None and user is not None:
        from practice.access import staff_context_for

        staff = staff_context_for(request)
    return AuditEvent.objects.create(
        practice=practice or (client.practice if client is not None else staff.practice),
        at=timezone.now(),
        actor=user,
        actor_role=staff.role if staff is not None else ("client" if user is None else ""),
        action=action,
        what=what,
        client_ref=client.pk if client is not None else None,
        fields=sorted(fields),
        via=via,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:400],
        request_id=request_id.get()[:64],
    )
