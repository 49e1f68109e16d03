"""The staff pages for client records: search, the record, intake queue, privacy tools, audit.

Thin views: access through practice.access, reads in clients.selectors, writes
in the services; every look at or change to a client's data leaves an audit entry.
"""

import copy
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from booking.exceptions import BookingError
from booking.models import Weekday
from booking.notify.selectors import notifications_failed_for_desk
from booking.scheduling.selectors import (
    PARTS_OF_DAY,
    client_sessions_near,
    free_times_next,
    session_type_most_booked,
    therapist_free_at,
)
from booking.scheduling.services import appointment_book, client_links_replace, notification_resend
from clients import privacy, selectors, services
from clients.access import (
    can_add_clients,
    can_export_or_anonymise,
    can_read_audit,
    can_run_intake,
    can_see_clinical,
    client_or_404,
    clients_visible,
)
from clients.audit import audit
from clients.forms import AssignForm, BookOnBehalfForm, ContactForm, NewClientForm, zone_shown
from clients.intake import services as intake_services
from clients.models import AuditAction, AuditEvent, Intake, SafetyAlert
from practice.access import staff_required, therapists_manageable
from practice.display import client_time, in_zones, own_time, page_zone, render_in_zone
from practice.models import SessionType, Therapist
from practice.parsing import aware_datetime_or_none, date_param, int_or_none
from practice.timezones import zone_choices

PAGE_SIZE = 25


def _page(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    alerts = list(selectors.open_safety_alerts(staff))
    queue = selectors.intake_queue(staff) if can_run_intake(staff) else []
    zone = page_zone(staff)
    return render_in_zone(
        request,
        "staff/home.html",
        {
            "alerts": alerts,
            "queue_size": len(queue),
            "today": selectors.today_sessions(staff, now=timezone.now(), zone=zone),
            "cancelled_today": selectors.today_cancellations(staff, now=timezone.now(), zone=zone),
            "requests": selectors.requests_to_approve(staff, now=timezone.now(), zone=zone),
            "to_mark": selectors.sessions_awaiting_outcome(staff, now=timezone.now(), zone=zone),
            "failed_messages": notifications_failed_for_desk(clients_visible(staff)),
            "nav": "home",
        },
        zone=zone,
    )


@staff_required
def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    clients = selectors.client_search(request.staff, query)
    page = _page(request, clients)
    if query:
        # A search is a look at who matches: recorded, without the search words.
        audit(
            request, action=AuditAction.SEARCH, what="client_list", practice=request.staff.practice
        )
    booking = _time_to_book(request)
    return render_in_zone(
        request,
        "staff/client_list.html",
        {
            "page": page,
            "q": query,
            "nav": "clients",
            "booking": booking,
            "can_add": can_add_clients(request.staff),
            # The pager keeps the time being booked.
            "extra_query": urlencode({"book": booking["value"], "book_type": booking["type"].pk})
            + "&"
            if booking
            else "",
        },
        zone=page_zone(request.staff),
    )


def _time_to_book(request) -> dict | None:
    """A free time picked on the desk's finder (``?book=<therapist>|<start>&book_type=``).

    The list then offers it to each client with one button, which goes through
    book on behalf's own checks (a time that has passed, sessions near it).
    """
    therapist_id, _, iso = request.GET.get("book", "").partition("|")
    start = aware_datetime_or_none(iso)
    therapist = therapists_manageable(request.staff).filter(pk=int_or_none(therapist_id)).first()
    session_type = SessionType.objects.filter(
        practice=request.staff.practice,
        is_active=True,
        pk=int_or_none(request.GET.get("book_type")),
    ).first()
    if start is None or therapist is None or session_type is None:
        return None
    return {
        "value": f"{therapist.pk}|{start.isoformat()}",
        "therapist": therapist,
        "type": session_type,
        "local": start.astimezone(page_zone(request.staff)),
        "own": own_time(start, shown_zone=page_zone(request.staff), own_zone=therapist.zone),
    }


@staff_required(allow=can_add_clients)
def client_new(request: HttpRequest) -> HttpResponse:
    """A client who phoned: create (or find, by email) their record, then book for them.

    A therapist (when the practice lets therapists add clients) adds their own
    client: assigned to them, and an address on file for a client they may not
    see is refused rather than shown.
    """
    # Most callers live where the practice is: its zone to start with.
    form = NewClientForm(
        request.POST or None,
        initial={"time_zone": zone_shown(request.staff.practice.time_zone)},
    )
    match, status = None, 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        match = services.client_owning_email(request.staff.practice, data["email"])
        choice = request.POST.get("email_match")
        if match is not None and not clients_visible(request.staff).filter(pk=match.pk).exists():
            form.add_error("email", NOT_YOURS_TO_SEE)
            match = None
        elif match is None or choice in EMAIL_MATCH_CHOICES:
            return _client_new_save(request, data, match=match, choice=choice)
        # The address is on file: same person or someone who shares it? Staff say which.
        status = 409
    return render(
        request,
        "staff/client_new.html",
        {
            "form": form,
            "match": match,
            "zones": zone_choices(timezone.now()),
            "nav": "clients",
        },
        status=status,
    )


EMAIL_MATCH_CHOICES = ("same", "different")
NOT_YOURS_TO_SEE = (
    "This email is on file for a client of the practice you do not see. "
    "Ask the front desk or an owner: they can assign the client to you."
)


def _client_new_save(request, data, *, match, choice):
    """Create the record, or use the one on file; the audit entry says which was chosen."""
    if choice == "same":
        # Their record as it is; what was typed differently is named (never the values).
        differs = [f for f in ("first_name", "last_name") if data[f].strip() != getattr(match, f)]
        audit(
            request,
            action=AuditAction.VIEW,
            what="record_same_person",
            client=match,
            fields=differs,
        )
        if differs:
            messages.info(
                request,
                f"Using {match.display_name}’s record, as you said they are the same person. "
                "Edit the record if their name has changed.",
            )
        return redirect("staff-client-book", match.public_id)
    client, _ = services.client_get_or_create(
        practice=request.staff.practice,
        by=request.user,
        shares_email=choice == "different",
        assigned_therapist=request.staff.therapist if request.staff.is_therapist else None,
        **data,
    )
    what = "record_shares_email" if choice == "different" else "record"
    audit(request, action=AuditAction.CREATE, what=what, client=client)
    return redirect("staff-client-book", client.public_id)


@staff_required
def client_detail(request: HttpRequest, public_id) -> HttpResponse:
    staff = request.staff
    client = client_or_404(staff, public_id, request=request)
    clinical = can_see_clinical(staff, client)
    zone = page_zone(staff)
    context = {
        "client": client,
        "appointments": [
            {
                "a": a,
                "local": a.start.astimezone(zone),
                "own": own_time(a.start, shown_zone=zone, own_zone=a.therapist.zone),
            }
            for a in selectors.client_appointments(client, staff)[:20]
        ],
        "failed_messages": notifications_failed_for_desk(clients_visible(staff), client=client),
        "admin": selectors.intake_admin_view(client),
        "clinical": selectors.intake_clinical_view(client) if clinical else None,
        "can_run_intake": can_run_intake(staff),
        "can_export": can_export_or_anonymise(staff),
        "assign_form": AssignForm(
            practice=staff.practice,
            initial={"therapist": client.assigned_therapist_id},
            auto_id="assign-%s",
        ),
        "nav": "clients",
    }
    audit(request, action=AuditAction.VIEW, what="record", client=client)
    if client.anonymised_at is not None:
        return render_in_zone(request, "staff/client_erased.html", context, zone=zone)
    if clinical:
        audit(request, action=AuditAction.VIEW, what="intake_and_scores", client=client)
    return render_in_zone(request, "staff/client_detail.html", context, zone=zone)


def _changeable(client):
    """An erased client's record only shows what was kept: every action on it is refused."""
    if client.anonymised_at is not None:
        raise PermissionDenied("This client's personal data was erased; the record cannot change.")
    return client


@staff_required
def client_edit(request: HttpRequest, public_id) -> HttpResponse:
    staff = request.staff
    client = _changeable(client_or_404(staff, public_id, request=request))
    if not (can_run_intake(staff) or staff.is_therapist):
        raise PermissionDenied
    # A copy: validating a model form writes onto its instance, and the service
    # compares the edits with the record as stored.
    form = ContactForm(request.POST or None, instance=copy.copy(client))
    if request.method == "POST" and form.is_valid():
        try:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            if form.cleaned_data.get("sms_consent") and request.POST.get("sms_consent_again"):
                # Ticked again after the number changed (the page's script says so).
                changes["sms_consent"] = True
            changed = services.client_update_contact(
                client=client, changes=changes, by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, action=AuditAction.CHANGE, what="contact", client=client, fields=changed)
            messages.success(request, "Contact details saved.")
            if services.SMS_CONSENT_CLEARED in changed:
                messages.warning(
                    request,
                    "Consent to text messages was for the old number, so it is cleared. "
                    "If the client agrees to texts at the new number, tick it again.",
                )
            return redirect("staff-client", client.public_id)
    elif request.method == "GET":
        audit(request, action=AuditAction.VIEW, what="contact", client=client)
    return render(
        request,
        "staff/client_edit.html",
        {"client": client, "form": form, "zones": zone_choices(timezone.now()), "nav": "clients"},
        status=400 if form.errors else 200,
    )


def _back_to(request, client):
    """To the intake queue when the action came from there, else to the record."""
    if request.POST.get("back") == "queue":
        return redirect("staff-intake-queue")
    return redirect("staff-client", client.public_id)


@staff_required
@require_POST
def message_resend(request: HttpRequest, public_id, notification_id: int) -> HttpResponse:
    """Resend a failed message to a client (any staff member who sees the client)."""
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    failed = notifications_failed_for_desk(clients_visible(request.staff), client=client)
    item = next((i for i in failed if i["notification"].pk == notification_id), None)
    if item is None:
        raise Http404("That message is not waiting to be resent.")
    try:
        notification_resend(notification=item["notification"])
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        audit(request, action=AuditAction.CREATE, what="message_resend", client=client)
        messages.success(request, f"Sending {item['what']} again.")
    if request.POST.get("back") == "today":
        return redirect("staff-home")
    return redirect("staff-client", client.public_id)


@staff_required(allow=can_run_intake)
@require_POST
def client_assign(request: HttpRequest, public_id) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    form = AssignForm(request.POST, practice=request.staff.practice)
    if not form.is_valid():
        messages.error(request, "Choose a therapist from the list.")
        return redirect("staff-client", client.public_id)
    services.client_assign_therapist(client=client, therapist=form.cleaned_data["therapist"])
    audit(
        request,
        action=AuditAction.CHANGE,
        what="record",
        client=client,
        fields=["assigned_therapist"],
    )
    messages.success(request, "Therapist assigned.")
    return _back_to(request, client)


@staff_required(allow=can_run_intake)
@require_POST
def intake_resend(request: HttpRequest, public_id) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    try:
        intake_services.intake_resend(client=client)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("staff-client", client.public_id)
    audit(request, action=AuditAction.CHANGE, what="intake_link", client=client)
    messages.success(request, "A new intake link is on its way; the old one no longer works.")
    return redirect("staff-client", client.public_id)


@staff_required(allow=can_run_intake)
@require_POST
def client_rotate_links(request: HttpRequest, public_id) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    try:
        emailed = client_links_replace(client=client)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("staff-client", client.public_id)
    audit(request, action=AuditAction.CHANGE, what="links", client=client)
    told = (
        "the new link for their next session is on its way by email."
        if emailed
        else "they have no session coming up, so nothing was sent."
    )
    messages.success(
        request, f"Done: their earlier links and calendar subscription no longer work; {told}"
    )
    return redirect("staff-client", client.public_id)


@staff_required(allow=can_run_intake)
@require_POST
def intake_review(request: HttpRequest, public_id) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    intake = get_object_or_404(Intake, client=client)
    try:
        intake_services.intake_mark_reviewed(intake=intake, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        audit(
            request,
            action=AuditAction.CHANGE,
            what="intake_status",
            client=client,
            fields=["status"],
        )
        messages.success(request, "Intake marked reviewed.")
    return _back_to(request, client)


@staff_required
@require_POST
def alert_acknowledge(request: HttpRequest, public_id, alert_id: int) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    if not can_see_clinical(request.staff, client):
        raise PermissionDenied
    alert = get_object_or_404(SafetyAlert, pk=alert_id, client=client)
    intake_services.safety_alert_acknowledge(alert=alert, by=request.user)
    audit(
        request,
        action=AuditAction.CHANGE,
        what="safety_alert",
        client=client,
        fields=["acknowledged_at"],
    )
    messages.success(request, "Alert marked as followed up.")
    return redirect("staff-client", client.public_id)


@staff_required
def client_book(request: HttpRequest, public_id) -> HttpResponse:
    """Book on the client's behalf: the same service and guarantees as the public pages.

    Asks before booking a time that has passed (a record of a session that took
    place: the client is sent nothing) or a second session on one day or within
    a week of another (a warning, never a refusal).
    """
    staff = request.staff
    client = _changeable(client_or_404(staff, public_id, request=request))
    if not (can_run_intake(staff) or staff.is_therapist):
        raise PermissionDenied
    most_booked = session_type_most_booked(staff.practice.pk)
    initial = {
        "therapist": staff.therapist.pk if staff.therapist else client.assigned_therapist_id,
        "session_type": most_booked.pk if most_booked else None,
    }
    form = BookOnBehalfForm(
        request.POST or None, practice=staff.practice, zone=page_zone(staff), initial=initial
    )
    if staff.is_therapist:
        form.fields["therapist"].queryset = form.fields["therapist"].queryset.filter(
            pk=staff.therapist.pk
        )
    status = 200
    therapists = form.fields["therapist"].queryset
    check, quick_check = None, None
    if request.method == "POST" and request.POST.get("quick_start"):
        # A free time picked from the list: booked as offered (hours, notice, overlap).
        response = _book_quick(request, client, therapists)
        if isinstance(response, dict):
            quick_check = response
        elif response is not None:
            return response
        else:
            status = 409
    elif request.method == "POST":
        status = 400
        if form.is_valid() and _whoever_is_free(form, therapists):
            data = form.cleaned_data
            status = 200
            check = _booking_check(request, client, data["start"], data["therapist"])
            check["whoever"] = not form.data.get("therapist")
            if request.POST.get("step") != "check" and not check["asks"]:
                response = _book_manual(request, client, form, past=check["past"])
                if response is not None:
                    return response
                status, check = 409, None
    return render_in_zone(
        request,
        "staff/client_book.html",
        {
            "client": client,
            "form": form,
            "check": check,
            "quick_check": quick_check,
            "nav": "clients",
            "zones_differ": any(t.time_zone != str(page_zone(staff)) for t in therapists),
            **_free_times(request, staff, therapists, client),
        },
        zone=page_zone(staff),
        status=status,
    )


def _whoever_is_free(form, therapists) -> bool:
    """Put a therapist on a "whoever is free" booking (checked again when it is booked)."""
    data = form.cleaned_data
    if data["therapist"] is not None:
        return True
    data["therapist"] = therapist_free_at(
        therapists=therapists,
        session_type=data["session_type"],
        start=data["start"],
        now=timezone.now(),
    )
    if data["therapist"] is None:
        form.add_error(
            "therapist",
            "Nobody who gives this session type is free then. "
            "Pick another time, or a therapist (and the override).",
        )
        return False
    return True


def _booking_check(request, client, start, therapist) -> dict:
    """What to show before booking: the instant in both zones, and what needs a second look.

    ``asks`` holds what the staff member has not yet confirmed (a past time,
    sessions near this one); the confirm form carries ``past_ok`` / ``near_ok``.
    """
    now = timezone.now()
    past = start < now
    near = [
        {"a": a, "local": a.start.astimezone(page_zone(request.staff))}
        for a in client_sessions_near(client=client, start=start, zone=therapist.zone, now=now)
    ]
    asks = []
    if past and request.POST.get("past_ok") != "1":
        asks.append("past")
    if near and request.POST.get("near_ok") != "1":
        asks.append("near")
    return {
        "lines": in_zones(start, therapist.zone, request.staff.practice.zone),
        "client_time": client_time(start, shown_zone=therapist.zone, client=client),
        "past": past,
        "near": near,
        "asks": asks,
    }


def _book_manual(request, client, form, *, past: bool):
    data = form.cleaned_data
    try:
        appointment = appointment_book(
            therapist=data["therapist"],
            session_type=data["session_type"],
            client=client,
            start=data["start"],
            # A time that has passed is outside notice by nature: recorded, not offered.
            enforce_availability=not (data["override_hours"] or past),
            by_staff=True,
            by=request.user,
            client_region=data["client_region"],
            licence_override_reason=data["licence_override_reason"],
        )
    except BookingError as exc:
        form.add_error(None, exc.message)
        return None
    audit(request, action=AuditAction.CREATE, what="appointment", client=client)
    if appointment.licence_override_reason:
        fields = ["client_region", "licence_override_reason"]
        audit(
            request,
            action=AuditAction.CREATE,
            what="licence_override",
            client=client,
            fields=fields,
        )
    if past:
        messages.success(
            request, "Recorded as a session that took place. The client was sent nothing."
        )
    else:
        messages.success(request, "Booked. The client gets a confirmation by email.")
    return redirect("staff-client", client.public_id)


FREE_TIMES_SHOWN = 12


def _free_times(request, staff, therapists, client) -> dict:
    """Next free times for a session type, with one therapist or whoever is free.

    The practice's most booked session type is chosen until staff pick
    another; "From" (a date), a weekday and a time of day narrow the search,
    and "Later days" moves past the times shown.
    """
    session_types = SessionType.objects.filter(practice=staff.practice, is_active=True)
    chosen_type = session_types.filter(pk=int_or_none(request.GET.get("find_type"))).first()
    if chosen_type is None and "find_type" not in request.GET:
        chosen_type = session_type_most_booked(staff.practice.pk)
    wanted = int_or_none(request.GET.get("find_therapist"))
    offering = therapists.filter(session_types=chosen_type) if chosen_type else therapists.none()
    if wanted is not None:
        offering = offering.filter(pk=wanted)
    zone = page_zone(staff)
    from_day = date_param(request.GET, "find_from", None)
    weekday = int_or_none(request.GET.get("find_weekday", ""))
    part = request.GET.get("find_part", "")
    free = []
    if chosen_type is not None:
        found = free_times_next(
            therapists=offering,
            session_type=chosen_type,
            now=timezone.now(),
            limit=FREE_TIMES_SHOWN,
            zone=zone,
            from_day=from_day,
            weekday=weekday if weekday in range(7) else None,
            part_of_day=part if part in PARTS_OF_DAY else "",
        )
        free = [
            {
                "start": start,
                "local": start.astimezone(zone),
                "own": own_time(start, shown_zone=zone, own_zone=who[0].zone),
                "client": client_time(start, shown_zone=zone, client=client),
                "therapist": who[0],
            }
            for start, who in found
        ]
    later = None
    if free:
        params = request.GET.copy()
        params["find_type"] = chosen_type.pk
        params["find_from"] = (free[-1]["local"].date() + timedelta(days=1)).isoformat()
        later = params.urlencode()
    return {
        "session_types": session_types,
        "therapists": therapists,
        "find_type": chosen_type,
        "find_therapist": wanted,
        "find_from": from_day,
        "find_weekday": weekday,
        "find_part": part,
        "weekdays": Weekday.choices,
        "parts": PARTS_OF_DAY,
        "later": later,
        "free_times": free,
    }


def _book_quick(request, client, therapists):
    # "<therapist id>|<start, ISO 8601 with offset>": the button says who and when.
    therapist_id, _, iso = request.POST["quick_start"].partition("|")
    start = aware_datetime_or_none(iso)
    therapist = therapists.filter(pk=int_or_none(therapist_id)).first()
    session_type = SessionType.objects.filter(
        practice=request.staff.practice, pk=int_or_none(request.POST.get("quick_type"))
    ).first()
    if start is None or therapist is None or session_type is None:
        messages.error(request, "Pick one of the free times listed.")
        return None
    check = _booking_check(request, client, start, therapist)
    if check["asks"]:
        return check | {"value": request.POST["quick_start"], "type": session_type}
    try:
        appointment_book(
            therapist=therapist,
            session_type=session_type,
            client=client,
            start=start,
            by_staff=True,
            by=request.user,
        )
    except BookingError as exc:
        messages.error(request, exc.message)
        return None
    audit(request, action=AuditAction.CREATE, what="appointment", client=client)
    messages.success(request, "Booked. The client gets a confirmation by email.")
    return redirect("staff-client", client.public_id)


@staff_required(allow=can_run_intake)
def intake_queue(request: HttpRequest) -> HttpResponse:
    include_reviewed = request.GET.get("all") == "1"
    rows = selectors.intake_queue(request.staff, include_reviewed=include_reviewed)
    audit(request, action=AuditAction.VIEW, what="intake_queue", practice=request.staff.practice)
    return render(
        request,
        "staff/intake_queue.html",
        {
            "page": _page(request, rows),
            "include_reviewed": include_reviewed,
            "therapists": Therapist.objects.filter(practice=request.staff.practice, is_active=True),
            "nav": "intake",
        },
    )


# The formats an export comes in; anything else (export.csv included) is a 404, and
# only these names ever reach the Content-Disposition header.
EXPORT_FORMATS = ("json", "html")


@staff_required(allow=can_export_or_anonymise)
def client_export(request: HttpRequest, public_id, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404("Exports come as .json or .html.")
    client = client_or_404(request.staff, public_id, request=request)
    data = privacy.client_export(client)
    audit(request, action=AuditAction.EXPORT, what=f"export_{fmt}", client=client)
    if fmt == "json":
        response = JsonResponse(data, json_dumps_params={"indent": 2})
    else:
        sections = privacy.client_export_readable(data, zone=page_zone(request.staff))
        response = HttpResponse(
            render_to_string(
                "staff/client_export.html",
                {"sections": sections, "client": client, "zone": page_zone(request.staff)},
                request,
            )
        )
    response["Content-Disposition"] = f'attachment; filename="client-{client.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required(allow=can_export_or_anonymise)
def client_anonymise(request: HttpRequest, public_id) -> HttpResponse:
    client = _changeable(client_or_404(request.staff, public_id, request=request))
    if request.method == "POST":
        if request.POST.get("confirm") != "ERASE":
            messages.error(request, "Type ERASE (in capitals) to confirm.")
            return redirect("staff-client-anonymise", client.public_id)
        privacy.client_anonymise(client=client)
        audit(request, action=AuditAction.ANONYMISE, what="record", client=client)
        messages.success(
            request, "The client's personal data was erased; sessions stay as history."
        )
        return redirect("staff-clients")
    return render(request, "staff/client_anonymise.html", {"client": client, "nav": "clients"})


def _actor_named(text: str) -> Q:
    """Entries by the staff member with this user name or full name (any case)."""
    return Q(actor__username__iexact=text) | Q(
        actor__in=get_user_model()
        .objects.annotate(full=Concat("first_name", Value(" "), "last_name"))
        .filter(full__iexact=text)
    )


@staff_required(allow=can_read_audit)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(practice=request.staff.practice).select_related("actor")
    filters = {
        "client": request.GET.get("client", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", ""),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
    }
    if (number := int_or_none(filters["client"])) is not None:
        events = events.filter(client_ref=number)
    elif filters["client"]:
        named = selectors.client_ids_named(request.staff.practice, filters["client"][:100])
        events = events.filter(client_ref__in=named)
    if filters["actor"]:
        events = events.filter(_actor_named(filters["actor"][:150]))
    if filters["action"] in AuditAction.values:
        events = events.filter(action=filters["action"])
    if since := date_param(request.GET, "since"):
        events = events.filter(at__date__gte=since)
    if until := date_param(request.GET, "until"):
        events = events.filter(at__date__lte=until)
    page = _page(request, events, 50)
    names = selectors.client_names({e.client_ref for e in page})
    for event in page:
        event.client_name = names.get(event.client_ref, "")
    return render(
        request,
        "staff/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "extra_query": urlencode({k: v for k, v in filters.items() if v}) + "&",
            "actions": AuditAction.choices,
            "nav": "audit",
        },
    )
