"""The client's booking pages: choose, pick a time, give details, done.

Server-rendered and usable without JavaScript; booking.js adds time-zone
detection and loading more days in place. Every write goes through
booking.scheduling.services, so the pages have the API's guarantees.
"""

import re
import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from booking.api.serializers import AwareDateTimeField
from booking.exceptions import BookingError, SlotUnavailable, TooManyHolds
from booking.models import Appointment, AppointmentStatus
from booking.scheduling import holds, policy, selectors, services
from booking.tokens import manage_token_for, manage_token_parts
from booking.web.forms import DetailsForm
from booking.web.views import manage_url_with_news
from practice import dbfaults
from practice.display import wall_time
from practice.errors import error_page
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
    bookable = {st.pk for st in session_types}
    therapists = list(
        Therapist.objects.filter(practice=practice, is_active=True, session_types__in=bookable)
        .distinct()
        .order_by("display_name")
        .prefetch_related("session_types")
    )
    for therapist in therapists:
        # The landing page's script offers a therapist only with what they give.
        therapist.offers = " ".join(
            str(st.pk) for st in therapist.session_types.all() if st.pk in bookable
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
    """The session type, therapist (None: any available) and a note about the choice, or 404.

    A therapist who does not give this session type (chosen without the landing
    page's script) leads to everyone who does, saying so.
    """
    session_type = _session_type_or_404(practice, request.GET.get("session_type"))
    offering = session_type.therapists.filter(is_active=True).order_by("pk")
    therapist, note = None, ""
    if request.GET.get("therapist"):
        therapist = offering.filter(pk=_id(request.GET["therapist"])).first()
        if therapist is None:
            other = Therapist.objects.filter(
                practice=practice, is_active=True, pk=_id(request.GET["therapist"])
            ).first()
            if other is None:
                raise Http404("That therapist does not offer this session.")
            note = (
                f"{other.display_name} does not offer {session_type.name}. "
                "Here are the times of the therapists who do."
            )
    return session_type, therapist, list(offering), note


def _first_day(request: HttpRequest, zone) -> date:
    today = timezone.now().astimezone(zone).date()
    return max(date_param(request.GET, "start", today), today)


def _days(*, session_type, therapist, offering, zone, first: date, count: int, now, own=None):
    """A week of free times; ``own`` (this browser's hold) counts as free, and is marked."""
    window_start = datetime.combine(first, time(0), tzinfo=zone)
    window_end = datetime.combine(first + timedelta(days=count), time(0), tzinfo=zone)
    candidates = [therapist] if therapist else offering
    free = selectors.slot_map_any(
        therapists=candidates,
        session_type=session_type,
        window_start=window_start,
        window_end=window_end,
        now=now,
        exclude_appointment_id=own.pk if own else None,
    )
    mine = own.start if own and own.session_type_id == session_type.pk else None
    days = [{"date": first + timedelta(days=i), "slots": []} for i in range(count)]
    for start in free:
        local = start.astimezone(zone)
        days[(local.date() - first).days]["slots"].append(
            {"value": start.isoformat(), "label": wall_time(local), "held": start == mine}
        )
    return days


def _own_hold(request: HttpRequest, *, session_type, candidates, now) -> Appointment | None:
    """This browser's live hold, if it is one the page could offer (its type and therapists).

    Picking it again returns the same hold, and picking another time releases
    it (booking/holds.py), so the page shows it and what it blocks as free.
    """
    value = request.COOKIES.get(BROWSER_COOKIE, "")
    if not _BROWSER_ID.fullmatch(value):
        return None
    own = holds.hold_current(browser_cookie=value, now=now)
    if own is None or own.therapist_id not in {t.pk for t in candidates}:
        return None
    return own


def _next_available(
    *, session_type, therapist, offering, zone, after: date, now, own=None
) -> date | None:
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
        exclude_appointment_id=own.pk if own else None,
    )
    first = next(iter(free), None)
    return first.astimezone(zone).date() if first else None


@require_GET
@rate_limited("slots")
def times(request: HttpRequest) -> HttpResponse:
    practice = _practice()
    session_type, therapist, offering, note = _choice(request, practice)
    zone_name = _zone_name(request, practice)
    zone = get_zone(zone_name)
    now = timezone.now()
    first = _first_day(request, zone)
    own = (
        None
        if request.GET.get("reschedule")
        else _own_hold(
            request,
            session_type=session_type,
            candidates=[therapist] if therapist else offering,
            now=now,
        )
    )
    days = _days(
        session_type=session_type,
        therapist=therapist,
        offering=offering,
        zone=zone,
        first=first,
        count=DAYS_PER_PAGE,
        now=now,
        own=own,
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
            own=own,
        ),
        "therapist_zones": sorted(
            {t.time_zone for t in ([therapist] if therapist else offering)} - {zone_name}
        ),
        "message": note
        or request.GET.get("taken")
        and "Sorry, that time was just taken. Here are the times still free.",
        "reschedule": request.GET.get("reschedule", ""),
        "moving": selectors.appointment_get_by_token(request.GET["reschedule"])
        if request.GET.get("reschedule")
        else None,
    }
    template = "booking/_days.html" if request.GET.get("fragment") else "booking/times.html"
    response = render(request, template, context)
    if own is not None:
        # This answer is this browser's alone: no shared or stored copy.
        patch_cache_control(response, private=True, no_store=True)
    return response


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
    """The details form for a held time; it books the time even after the hold lapsed.

    A lapsed hold still books if nobody took the time (the service keeps an
    expired row's claim; a row the cleanup deleted is renewed under the same
    id from the time the form carries). If the time is gone, the form comes
    back as typed with the free times nearest the one chosen.
    """
    appointment = selectors.appointment_get_by_token(token)
    if appointment is None:
        return _details_after_cleanup(request, token)
    if appointment.status != AppointmentStatus.HELD:
        return redirect("booking:manage", token=token)
    holds.hold_extend_for_details(hold=appointment)
    form = DetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = _client_details(form, _zone_name(request, appointment.practice))
        try:
            # Not repeated (the hold object changes on the way); a connection
            # dropped during COMMIT is looked up, so a booking made is never an error.
            booked = dbfaults.atomic_retrying(
                lambda: services.appointment_confirm_hold(
                    hold=appointment,
                    client_details=details,
                    first_session=form.cleaned_data["first_session"],
                    note=form.cleaned_data["note"],
                ),
                landed=lambda _: _confirmed(appointment.pk),
                attempts=1,
            )
        except SlotUnavailable as exc:
            return _details_page(request, token, appointment, form, message=exc.message)
        return redirect(manage_url_with_news(token, "booked", booked))
    return _details_page(request, token, appointment, form)


def _confirmed(appointment_id: int) -> bool:
    return (
        Appointment.objects.filter(pk=appointment_id)
        .exclude(status=AppointmentStatus.HELD)
        .exists()
    )


def _client_details(form: DetailsForm, zone_name: str) -> dict:
    data = form.cleaned_data
    return {
        "first_name": data["first_name"],
        "last_name": data["last_name"],
        "email": data["email"],
        "phone": data["phone"],
        "time_zone": zone_name,
        "preferred_name": data["preferred_name"],
        "contact_consent": True,
        "sms_consent": data["sms_consent"],
    }


LAPSED_STATEMENT = (
    "We are no longer holding this time. You can still book it below: if nobody has taken "
    "it, it is yours; if someone has, we keep what you typed and show you the nearest free times."
)
LAPSED_MESSAGE = (
    "Sorry, we could only hold that time for a few minutes and someone else has booked it "
    "since. Choose one of the nearest free times below and press the button again: what "
    "you typed is kept."
)


def _details_after_cleanup(request: HttpRequest, token: str) -> HttpResponse:
    """The hold's row is gone (expired and cleaned up, or taken): book from the form's copy."""
    parts = manage_token_parts(token)
    choice = _posted_choice(request) if request.method == "POST" else None
    if parts is None or parts[1] or choice is None:
        # Rendered, not raised: the demo (DEBUG on) shows the practice's page too.
        return error_page(
            request,
            status=404,
            title="We are no longer holding this time",
            message="Please pick a time again: it takes a minute, and what you book is "
            "confirmed by email.",
        )
    form = DetailsForm(request.POST)
    if not choice.start:
        message = "Please choose one of the times below."
        return _details_page(request, token, choice, form, message=message, status=422)
    if not form.is_valid():
        return _details_page(request, token, choice, form)
    try:
        renewed = holds.hold_for_browser(
            browser=_browser_id(request),
            address=client_address(request) or "",
            session_type=choice.session_type,
            therapists=[choice.therapist],
            start=choice.start,
            public_id=parts[0],
        )
        booked = services.appointment_confirm_hold(
            hold=renewed,
            client_details=_client_details(form, _zone_name(request, choice.practice)),
            first_session=form.cleaned_data["first_session"],
            note=form.cleaned_data["note"],
        )
    except TooManyHolds as exc:
        return _too_many_holds(request, exc, times_url=reverse("booking:landing"))
    except (BookingError, IntegrityError):
        # A second submit racing the first: the first renewed the hold under this id.
        if selectors.appointment_get_by_token(token) is not None:
            return redirect("booking:manage", token=token)
        return _details_page(request, token, choice, form, message=LAPSED_MESSAGE)
    return redirect(manage_url_with_news(token, "booked", booked))


def _posted_choice(request: HttpRequest) -> Appointment | None:
    """The time the details form was for (an unsaved Appointment), or None if unreadable.

    ``start`` is empty when the client was shown other times and chose none;
    ``chosen`` then keeps the time they first picked, to centre the others on.
    """
    practice = practice_current()
    session_type = SessionType.objects.filter(
        practice=practice, is_active=True, pk=_id(request.POST.get("session_type"))
    ).first()
    therapist = (
        session_type.therapists.filter(is_active=True, pk=_id(request.POST.get("therapist")))
        .select_related("practice")
        .first()
        if session_type
        else None
    )
    start, chosen = (_instant(request.POST.get(name, "")) for name in ("start", "chosen"))
    if therapist is None or (start or chosen) is None:
        return None
    choice = Appointment(practice=practice, therapist=therapist, session_type=session_type)
    choice.set_times(
        start or chosen,
        buffer_before=session_type.buffer_before,
        buffer_after=session_type.buffer_after,
    )
    if start is None:
        choice.start = None
    choice.chosen = chosen or start
    return choice


def _instant(value: str) -> datetime | None:
    try:
        return AwareDateTimeField().to_internal_value(value)
    except Exception:  # noqa: BLE001 (any unreadable value is the same mistake)
        return None


NEAREST_COUNT = 6
# The details form's button: a session type the practice approves is requested.
SUBMIT_LABELS = {False: "Book this session", True: "Request this time"}


def _nearest_free(choice, *, now: datetime) -> list[datetime]:
    """The therapist's free times nearest the one chosen (up to three days either side)."""
    centre = getattr(choice, "chosen", None) or choice.start
    free = selectors.slot_list(
        therapist=choice.therapist,
        session_type=choice.session_type,
        window_start=max(centre - timedelta(days=3), now),
        window_end=centre + timedelta(days=3),
        now=now,
    )
    nearest = sorted(free, key=lambda start: abs(start - centre))[:NEAREST_COUNT]
    return sorted(nearest)


def _details_page(request, token, appointment, form, *, message="", status=None):
    """The details form for a hold (or a lapsed one's copy), as typed, with what to say."""
    practice = appointment.practice
    zone_name = _zone_name(request, practice)
    now = timezone.now()
    lapsed = appointment.pk is None or (
        appointment.hold_expires_at is not None and appointment.hold_expires_at <= now
    )
    hold_seconds = int((appointment.hold_expires_at - now).total_seconds()) if not lapsed else 0
    if status is None:
        status = 409 if message else (422 if form.errors else 200)
    deadline = policy.late_cancel_deadline(appointment) if appointment.start else None
    context = {
        "appointment": appointment,
        "practice": practice,
        "form": form,
        "tz": zone_name,
        "token": token,
        "message": message,
        "alternatives": _nearest_free(appointment, now=now) if message else [],
        "chosen": getattr(appointment, "chosen", None) or appointment.start,
        "times_url": _times_url(session_type=appointment.session_type_id, tz=zone_name),
        "hold_minutes": hold_seconds // 60,
        "hold_seconds": hold_seconds,
        "lapsed": lapsed,
        "lapsed_statement": LAPSED_STATEMENT,
        "deadline": deadline,
        "inside_window": deadline is not None and deadline <= now,
        "window": policy.humanize_duration(practice.late_cancel_window),
        "submit_label": SUBMIT_LABELS[appointment.session_type.requires_approval],
    }
    return render(request, "booking/details.html", context, status=status)
