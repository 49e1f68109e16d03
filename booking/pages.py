"""The client's booking pages: choose, pick a time, give details, done.

Server-rendered and usable without JavaScript; booking.js adds time-zone
detection and loading more days in place. Every write goes through
booking.services, so the pages have the API's guarantees.
"""

import re
import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from booking import holds, policy, selectors, services
from booking.exceptions import BookingError, SlotUnavailable, TooManyHolds
from booking.forms import DetailsForm
from booking.models import AppointmentStatus
from booking.serializers import AwareDateTimeField
from booking.tokens import manage_token_for
from booking.views import appointment_or_404
from practice.display import wall_time
from practice.models import SessionType, Therapist
from practice.parsing import date_param, int_or_none
from practice.ratelimit import client_address, rate_limited
from practice.selectors import practice_current, session_type_list_bookable
from practice.timezones import get_zone, zone_names

DAYS_PER_PAGE = 7
# The browser's id for holds: random, readable by the server only.
BROWSER_COOKIE = "booking_browser"
BROWSER_COOKIE_AGE = 24 * 60 * 60
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")


def _practice():
    practice = practice_current()
    if practice is None:
        raise Http404("No practice is set up yet.")
    return practice


def _zone_name(request: HttpRequest, practice) -> str:
    name = request.GET.get("tz") or request.POST.get("tz") or ""
    return name if name in zone_names() else practice.time_zone


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    practice = _practice()
    session_types = list(session_type_list_bookable(practice=practice))
    therapists = list(
        Therapist.objects.filter(practice=practice, is_active=True).order_by("display_name")
    )
    return render(
        request,
        "booking/landing.html",
        {"practice": practice, "session_types": session_types, "therapists": therapists},
    )


def _id(value) -> int:
    """A positive id from a form value; 0 for anything else (matches nothing)."""
    return int_or_none(value) or 0


def _session_type_or_404(practice, value) -> SessionType:
    session_type = SessionType.objects.filter(
        practice=practice, is_active=True, pk=_id(value)
    ).first()
    if session_type is None:
        raise Http404("Choose a session type first.")
    return session_type


def _choice(request: HttpRequest, practice):
    """The session type and therapist (None: any available) asked for, or 404."""
    session_type = _session_type_or_404(practice, request.GET.get("session_type"))
    offering = session_type.therapists.filter(is_active=True).order_by("pk")
    therapist = None
    if request.GET.get("therapist"):
        therapist = offering.filter(pk=_id(request.GET["therapist"])).first()
        if therapist is None:
            raise Http404("That therapist does not offer this session.")
    return session_type, therapist, list(offering)


def _first_day(request: HttpRequest, zone) -> date:
    today = timezone.now().astimezone(zone).date()
    return max(date_param(request.GET, "start", today), today)


def _days(*, session_type, therapist, offering, zone, first: date, count: int, now):
    window_start = datetime.combine(first, time(0), tzinfo=zone)
    window_end = datetime.combine(first + timedelta(days=count), time(0), tzinfo=zone)
    candidates = [therapist] if therapist else offering
    free = selectors.slot_map_any(
        therapists=candidates,
        session_type=session_type,
        window_start=window_start,
        window_end=window_end,
        now=now,
    )
    days = [{"date": first + timedelta(days=i), "slots": []} for i in range(count)]
    for start in free:
        local = start.astimezone(zone)
        days[(local.date() - first).days]["slots"].append(
            {"value": start.isoformat(), "label": wall_time(local)}
        )
    return days


def _next_available(*, session_type, therapist, offering, zone, after: date, now) -> date | None:
    """The first day after ``after`` with a free time, within the booking horizon.

    One engine pass per therapist over the rest of the horizon (the engine
    reads in four queries whatever the range).
    """
    free = selectors.slot_map_any(
        therapists=[therapist] if therapist else offering,
        session_type=session_type,
        window_start=datetime.combine(after + timedelta(days=1), time(0), tzinfo=zone),
        window_end=now + session_type.effective_booking_horizon + timedelta(minutes=1),
        now=now,
    )
    first = next(iter(free), None)
    return first.astimezone(zone).date() if first else None


@require_GET
@rate_limited("slots")
def times(request: HttpRequest) -> HttpResponse:
    practice = _practice()
    session_type, therapist, offering = _choice(request, practice)
    zone_name = _zone_name(request, practice)
    zone = get_zone(zone_name)
    now = timezone.now()
    first = _first_day(request, zone)
    days = _days(
        session_type=session_type,
        therapist=therapist,
        offering=offering,
        zone=zone,
        first=first,
        count=DAYS_PER_PAGE,
        now=now,
    )
    last = days[-1]["date"]
    context = {
        "practice": practice,
        "session_type": session_type,
        "therapist": therapist,
        "tz": zone_name,
        "zones": sorted(zone_names()),
        "days": days,
        "first": first,
        "next_start": last + timedelta(days=1),
        "prev_start": first - timedelta(days=DAYS_PER_PAGE)
        if first > now.astimezone(zone).date()
        else None,
        "next_available": None
        if any(d["slots"] for d in days)
        else _next_available(
            session_type=session_type,
            therapist=therapist,
            offering=offering,
            zone=zone,
            after=last,
            now=now,
        ),
        "therapist_zones": sorted(
            {t.time_zone for t in ([therapist] if therapist else offering)} - {zone_name}
        ),
        "message": request.GET.get("taken")
        and "Sorry, that time was just taken. Here are the times still free.",
        "reschedule": request.GET.get("reschedule", ""),
    }
    template = "booking/_days.html" if request.GET.get("fragment") else "booking/times.html"
    return render(request, template, context)


@require_POST
@rate_limited("booking")
def hold(request: HttpRequest) -> HttpResponse:
    """Hold the chosen time, then ask for details; if it is gone, say so kindly."""
    practice = _practice()
    session_type = _session_type_or_404(practice, request.POST.get("session_type"))
    try:
        start = AwareDateTimeField().to_internal_value(request.POST.get("start", ""))
    except Exception:  # noqa: BLE001 (any unreadable value is the same mistake)
        start = None
    back = {
        "session_type": session_type.pk,
        "therapist": request.POST.get("therapist", ""),
        "tz": _zone_name(request, practice),
    }
    if start is None:
        return redirect(_times_url(**back))
    offering = list(session_type.therapists.filter(is_active=True))
    if back["therapist"]:
        offering = [t for t in offering if t.pk == _id(back["therapist"])]
    browser = _browser_id(request)
    try:
        held = holds.hold_for_browser(
            browser=browser,
            address=client_address(request) or "",
            session_type=session_type,
            therapists=offering,
            start=start,
        )
    except TooManyHolds as exc:
        return _too_many_holds(request, exc, times_url=_times_url(**back))
    except BookingError:
        day = start.astimezone(get_zone(back["tz"])).date().isoformat()
        return redirect(_times_url(**back, start=day, taken=1))
    token = manage_token_for(held.public_id)
    response = redirect(reverse("booking:details", args=[token]) + f"?tz={back['tz']}")
    if request.COOKIES.get(BROWSER_COOKIE) != browser:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=BROWSER_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _browser_id(request: HttpRequest) -> str:
    """This browser's random id (booking/holds.py ties holds to it), or a new one."""
    value = request.COOKIES.get(BROWSER_COOKIE, "")
    return value if _BROWSER_ID.fullmatch(value) else secrets.token_urlsafe(18)


def _too_many_holds(request: HttpRequest, exc: TooManyHolds, *, times_url: str) -> HttpResponse:
    context = {"message": exc.message, "wait": exc.retry_after, "times_url": times_url}
    response = render(request, "booking/too_many_holds.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _times_url(**params) -> str:
    return reverse("booking:times") + "?" + urlencode({k: v for k, v in params.items() if v})


@rate_limited("booking")
def details(request: HttpRequest, token: str) -> HttpResponse:
    appointment = appointment_or_404(token)
    if appointment.status != AppointmentStatus.HELD:
        return redirect("booking:manage", token=token)
    holds.hold_extend_for_details(hold=appointment)
    practice = appointment.practice
    zone_name = _zone_name(request, practice)
    form = DetailsForm(request.POST or None)
    message = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_confirm_hold(
                hold=appointment,
                client_details={
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "email": data["email"],
                    "phone": data["phone"],
                    "time_zone": zone_name,
                    "preferred_name": data["preferred_name"],
                    "contact_consent": True,
                },
                first_session=data["first_session"],
                note=data["note"],
            )
        except SlotUnavailable as exc:
            message = exc.message
        else:
            return redirect(reverse("booking:manage", args=[token]) + "?booked=1")
    status = 409 if message else (422 if form.errors else 200)
    return render(
        request,
        "booking/details.html",
        {
            "appointment": appointment,
            "practice": practice,
            "form": form,
            "tz": zone_name,
            "token": token,
            "message": message,
            "times_url": _times_url(session_type=appointment.session_type_id, tz=zone_name),
            "hold_minutes": int(
                max(0, (appointment.hold_expires_at - timezone.now()).total_seconds()) // 60
            )
            if appointment.hold_expires_at
            else 0,
            "deadline": policy.late_cancel_deadline(appointment),
        },
        status=status,
    )
