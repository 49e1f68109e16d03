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
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from booking.api.serializers import AwareDateTimeField
from booking.exceptions import (
    BookingError,
    InvalidBooking,
    NotLicensed,
    SlotUnavailable,
    TooManyHolds,
)
from booking.models import SOURCE_REF, Appointment, AppointmentStatus
from booking.scheduling import holds, policy, selectors, services
from booking.tokens import manage_token_for, manage_token_parts
from booking.web.forms import DetailsForm
from booking.web.views import manage_url_with_news, zone_asked
from practice import dbfaults, licensing
from practice.display import wall_time
from practice.errors import error_page
from practice.models import Modality, SessionType, SlugKind, Therapist
from practice.parsing import date_param, int_or_none
from practice.ratelimit import client_address, rate_limited
from practice.selectors import (
    booking_link_target,
    practice_current,
    session_type_list_bookable,
)
from practice.timezones import get_zone, zone_choices, zone_label

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


def _asked_zone(request: HttpRequest) -> str:
    return request.GET.get("tz") or request.POST.get("tz") or ""


def _zone(request: HttpRequest, practice) -> tuple[str, str]:
    """The zone the page reads in (``tz`` if we know it, else the practice's), and the
    notice to show when the one asked for is unknown."""
    return zone_asked(_asked_zone(request), fallback=practice.time_zone, whose="the practice's")


def _zone_name(request: HttpRequest, practice) -> str:
    return _zone(request, practice)[0]


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    practice = _practice()
    session_types = list(session_type_list_bookable(practice=practice))
    bookable = {st.pk for st in session_types}
    therapists = list(
        Therapist.objects.filter(practice=practice, is_active=True, session_types__in=bookable)
        .distinct()
        .order_by("display_name")
    )
    return _landing(request, practice, session_types=session_types, therapists=therapists)


def _modes(therapist: Therapist, kinds: set[str]) -> list[str]:
    """How a client can see this therapist, as the booking pages say it: what the session
    types they offer allow (a type's modality decides where its session happens),
    narrowed by what the therapist says of themselves when that leaves something."""
    allowed = [
        (label, said)
        for label, kind, said in (
            ("In person", Modality.IN_PERSON, therapist.sees_in_person),
            ("Video", Modality.TELEHEALTH, therapist.sees_by_video),
        )
        if kind in kinds
    ]
    return [label for label, said in allowed if said] or [label for label, _ in allowed]


def _landing(request, practice, *, session_types, therapists) -> HttpResponse:
    """Choose a session type (and a therapist); one therapist given: theirs only, chosen."""
    bookable = {st.pk: st for st in session_types}
    for therapist in therapists:
        offered = [
            pk for pk in therapist.session_types.values_list("pk", flat=True) if pk in bookable
        ]
        # The landing page's script offers a therapist only with what they give.
        therapist.offers = " ".join(str(pk) for pk in offered)
        therapist.modes = _modes(therapist, {bookable[pk].modality for pk in offered})
    context = {
        "practice": practice,
        "session_types": session_types,
        "therapists": therapists,
        "only_therapist": therapists[0] if len(therapists) == 1 and len(session_types) else None,
        "ref": source_ref(request),
    }
    return render(request, "booking/landing.html", context)


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


def _days(  # noqa: PLR0913
    *, session_type, therapist, offering, zone, first: date, count: int, now, own=None, moving=False
):
    """A week of free times; ``own`` counts as free: this browser's hold (marked), or
    the session being moved (``moving``: it does not block its neighbours, and its
    own time is not offered as a place to move to)."""
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
        remember=True,  # the same week is asked again and again
    )
    mine = own.start if own and own.session_type_id == session_type.pk else None
    days = [{"date": first + timedelta(days=i), "slots": []} for i in range(count)]
    for start in free:
        if moving and start == mine:
            continue
        local = start.astimezone(zone)
        days[(local.date() - first).days]["slots"].append(
            {
                "value": start.isoformat(),
                "label": wall_time(local),
                "hour": local.hour,
                "held": start == mine,
            }
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


def _next_available(  # noqa: PLR0913
    *, session_type, therapist, offering, zone, after: date, now, own=None, moving=False
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
    first = next((s for s in free if not (moving and s == own.start)), None)
    return first.astimezone(zone).date() if first else None


@require_GET
@rate_limited("slots")
def times(request: HttpRequest) -> HttpResponse:
    """The times page by ids (``?session_type=3&therapist=7``): the links of old still work."""
    practice = _practice()
    session_type, therapist, offering, note = _choice(request, practice)
    base = {"session_type": session_type.pk, "therapist": therapist.pk if therapist else ""}
    return _times_page(
        request,
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        offering=offering,
        note=note,
        base=base,
    )


@require_GET
@rate_limited("slots")
def type_link(request: HttpRequest, type_slug: str) -> HttpResponse:
    """/book/type/<slug>/: one session type, any therapist who gives it."""
    practice = _practice()
    session_type, moved = _by_slug(practice, SlugKind.SESSION_TYPE, type_slug)
    if moved:
        return _moved(request, reverse("booking:type-link", args=[session_type.slug]))
    offering = list(session_type.therapists.filter(is_active=True).order_by("pk"))
    return _times_page(
        request,
        practice=practice,
        session_type=session_type,
        therapist=None,
        offering=offering,
        note="",
        base={},
    )


@require_GET
@rate_limited("slots")
def therapist_link(request: HttpRequest, therapist_slug: str) -> HttpResponse:
    """/book/<slug>/: one therapist; straight to their times if they give one session type."""
    practice = _practice()
    therapist, moved = _by_slug(practice, SlugKind.THERAPIST, therapist_slug)
    if moved:
        return _moved(request, reverse("booking:therapist-link", args=[therapist.slug]))
    offered = [
        st
        for st in session_type_list_bookable(practice=practice)
        if therapist.session_types.filter(pk=st.pk).exists()
    ]
    if len(offered) == 1:
        return _times_page(
            request,
            practice=practice,
            session_type=offered[0],
            therapist=therapist,
            offering=[therapist],
            note="",
            base={},
        )
    return _landing(request, practice, session_types=offered, therapists=[therapist])


@require_GET
@rate_limited("slots")
def therapist_type_link(request: HttpRequest, therapist_slug: str, type_slug: str) -> HttpResponse:
    """/book/<therapist>/<session-type>/: one therapist, one session type."""
    practice = _practice()
    therapist, moved_t = _by_slug(practice, SlugKind.THERAPIST, therapist_slug)
    session_type, moved_s = _by_slug(practice, SlugKind.SESSION_TYPE, type_slug)
    if moved_t or moved_s:
        url = reverse("booking:therapist-type-link", args=[therapist.slug, session_type.slug])
        return _moved(request, url)
    if not therapist.session_types.filter(pk=session_type.pk).exists():
        raise Http404(f"{therapist.display_name} does not offer {session_type.name}.")
    return _times_page(
        request,
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        offering=[therapist],
        note="",
        base={},
    )


def _by_slug(practice, kind: str, slug: str):
    """The active therapist or session type a link names, and whether by a former slug; or 404."""
    found, moved = booking_link_target(practice=practice, kind=kind, slug=slug)
    if found is None:
        raise Http404("We could not find this booking link: it may have changed.")
    return found, moved


def _moved(request: HttpRequest, url: str) -> HttpResponse:
    """A 301 to the current link, keeping the query (a source tag, a zone)."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(url + (f"?{query}" if query else ""))


def source_ref(request: HttpRequest) -> str:
    """The link's ``?ref=`` tag if it is a short plain tag; anything else is dropped."""
    value = (request.GET.get("ref") or request.POST.get("ref") or "").strip()
    return value if SOURCE_REF.fullmatch(value) else ""


DAY_PARTS = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))


def _day_parts(slots: list[dict]) -> list[dict]:
    """A day's times grouped morning (before 12:00), afternoon (before 17:00), evening."""
    parts = []
    for name, low, high in DAY_PARTS:
        chosen = [slot for slot in slots if low <= slot["hour"] < high]
        if chosen:
            parts.append({"name": name, "slots": chosen})
    return parts


def _times_page(request, *, practice, session_type, therapist, offering, note, base):
    """Pick a day in a week strip, then a time: opens on the first day with a free time.

    ``base`` is what the page's own links repeat to name the choice (ids for
    /book/times/, nothing for a slug link, whose path names it).
    """
    zone_name, zone_notice = _zone(request, practice)
    zone = get_zone(zone_name)
    now = timezone.now()
    today = now.astimezone(zone).date()
    horizon = session_type.effective_booking_horizon
    last_bookable = (now + horizon).astimezone(zone).date()
    candidates = [therapist] if therapist else offering
    moving = (
        selectors.appointment_get_by_token(request.GET["reschedule"])
        if request.GET.get("reschedule")
        else None
    )
    video = session_type.modality == Modality.TELEHEALTH
    region = client_region(request, zone_name) if video else ""
    if video and moving is not None and moving.client_region:
        region = moving.client_region  # a move keeps where the client said they would be
    allowed = selectors.therapists_licensed_for(
        candidates, session_type=session_type, region=region
    )
    if moving is not None and moving.therapist_id in {t.pk for t in candidates}:
        own = moving
    elif request.GET.get("reschedule"):
        own = None
    else:
        own = _own_hold(request, session_type=session_type, candidates=candidates, now=now)
    choice = {
        "session_type": session_type,
        # A video session: only those licensed where the client will be (none: no times).
        "therapist": therapist if allowed else None,
        "offering": allowed,
        "zone": zone,
        "now": now,
        "own": own,
        "moving": moving is not None and own is moving,
    }
    week = _first_day(request, zone)
    days = _days(**choice, first=week, count=DAYS_PER_PAGE)
    if "start" not in request.GET and not any(d["slots"] for d in days):
        # Open on the first day with a free time, however far ahead.
        later = _next_available(**choice, after=days[-1]["date"])
        if later is not None:
            week = later
            days = _days(**choice, first=week, count=DAYS_PER_PAGE)
    days = [d for d in days if d["date"] <= last_bookable] or days[:1]
    picked = date_param(request.GET, "day", None)
    with_times = [d for d in days if d["slots"]]
    selected = next((d for d in days if d["date"] == picked), None) or (
        with_times[0] if with_times else days[0]
    )
    next_start = week + timedelta(days=DAYS_PER_PAGE)
    params = {
        **base,
        "tz": zone_name,
        "region": region,
        "reschedule": request.GET.get("reschedule", ""),
        "ref": source_ref(request),
    }
    query = urlencode({k: v for k, v in params.items() if v})
    context = {
        "practice": practice,
        "session_type": session_type,
        "therapist": therapist,
        "tz": zone_name,
        "zone_label": zone_label(zone_name, now),
        "zone_notice": zone_notice,
        "query": query,
        "query_fields": [(k, v) for k, v in params.items() if v and k != "tz"],
        "offer_prefix": urlencode({k: v for k, v in params.items() if v and k != "tz"}) + "&",
        "ref": params["ref"],
        "days": days,
        "selected": selected,
        "parts": _day_parts(selected["slots"]),
        "first": week,
        "next_start": next_start if next_start <= last_bookable else None,
        "prev_start": max(week - timedelta(days=DAYS_PER_PAGE), today) if week > today else None,
        "first_free": with_times[0]["date"] if with_times else None,
        "next_available": None if with_times else _next_available(**choice, after=days[-1]["date"]),
        "horizon_days": horizon.days,
        "therapist_zones": sorted({t.time_zone for t in candidates} - {zone_name}),
        "message": note
        or (video and not allowed and _nobody_licensed(practice, region))
        or request.GET.get("taken")
        and "Sorry, that time was just taken. Here are the times still free.",
        "video": video and not moving,
        "region": region,
        "region_guessed": bool(region)
        and region != (request.GET.get("region") or "").upper()
        and not (moving is not None and moving.client_region),
        "regions": licensing.REGIONS.items(),
        "reschedule": params["reschedule"],
        "moving": moving,
    }
    response = render(request, "booking/times.html", context)
    if own is not None or moving is not None:
        # This answer is this browser's alone: no shared or stored copy.
        patch_cache_control(response, private=True, no_store=True)
    return response


def client_region(request: HttpRequest, zone_name: str) -> str:
    """Where the client says they will be for a video session: as picked (``region``), else the
    likely region of their zone (never their network address). practice/licensing.py."""
    asked = (request.GET.get("region") or request.POST.get("region") or "").upper()
    return asked if asked in licensing.REGIONS else licensing.region_from_zone(zone_name)


def _nobody_licensed(practice, region: str) -> str:
    contact = " or ".join(c for c in (practice.contact_phone, practice.contact_email) if c)
    if not region:
        # Nothing picked, and the zone gives no likely place (e.g. Europe/Berlin).
        return (
            "Choose where you will be during the video session to see its times: your "
            "therapist must be licensed there. Not in the list? Please contact the practice"
            f"{f' ({contact})' if contact else ''}."
        )
    where = licensing.region_label(region)
    return (
        f"No therapist here is licensed to see clients in {where} by video. If you will be "
        "somewhere else during the session, choose it below; otherwise please contact the "
        f"practice{f' ({contact})' if contact else ''}."
    )


@require_GET
def zones(request: HttpRequest) -> HttpResponse:
    """Every zone a client may pick, with friendly names and today's offsets (JSON, cached).

    Loaded once by the times page's zone search; not inlined in every page.
    """
    now = timezone.now()
    response = JsonResponse(zone_choices(now), safe=False)
    patch_cache_control(response, public=True, max_age=6 * 60 * 60)
    return response


@require_http_methods(["GET", "POST"])
@rate_limited("booking")
def hold(request: HttpRequest) -> HttpResponse:
    """Hold the chosen time, then ask for details; if it is gone, say so kindly.

    Opened as a page (a bookmark, a reload after Back): the start of booking.
    """
    if request.method != "POST":
        return redirect("booking:landing")
    practice = _practice()
    session_type = _session_type_or_404(practice, request.POST.get("session_type"))
    try:
        start = AwareDateTimeField().to_internal_value(request.POST.get("start", ""))
    except Exception:  # noqa: BLE001 (any unreadable value is the same mistake)
        start = None
    zone_name, zone_notice = _zone(request, practice)
    back = {
        "session_type": session_type.pk,
        "therapist": request.POST.get("therapist", ""),
        # An unknown zone goes on as asked, so the next page says so (``zone_asked``).
        "tz": _asked_zone(request).strip()[:64] if zone_notice else zone_name,
        "ref": source_ref(request),
        "region": request.POST.get("region", "")[:8],
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
            source_ref=back["ref"],
            client_region=back["region"],
        )
    except TooManyHolds as exc:
        return _too_many_holds(request, exc, times_url=_times_url(**back))
    except (NotLicensed, InvalidBooking) as exc:
        return error_page(
            request, status=exc.http_status, title="We cannot book this", message=exc.message
        )
    except BookingError:
        day = start.astimezone(get_zone(zone_name)).date().isoformat()
        return redirect(_times_url(**back, start=day, taken=1))
    token = manage_token_for(held.public_id)
    response = redirect(
        reverse("booking:details", args=[token]) + "?" + urlencode({"tz": back["tz"]})
    )
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
            client_region=request.POST.get("region", "")[:8],
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
    zone_name, zone_notice = _zone(request, practice)
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
        "zone_notice": zone_notice,
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
