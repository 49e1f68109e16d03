"""HTML views for clients. The full booking pages come with the booking-pages issue."""

from functools import wraps
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from booking import video
from booking.api.serializers import AwareDateTimeField
from booking.exceptions import BookingError
from booking.feeds import calendar_links, feeds, ics
from booking.models import EMAIL_CONFIRM_WINDOW, AppointmentStatus, FeedKind
from booking.scheduling import policy, selectors, services
from booking.tokens import public_id_from_confirm_token
from clients.audit import audit
from clients.models import AuditAction
from practice.ratelimit import rate_limited
from practice.selectors import practice_current
from practice.timezones import get_zone, zone_label, zone_read, zone_suggestion

LINK_INVALID = (
    "Check that you copied all of it from the email: a link cut short, or with something "
    "added, does not open. Links also stop working some weeks after the session, or when "
    "a newer one replaces them."
)


class LinkInvalid(Exception):
    """A manage link that opens nothing; ``link_page`` views answer the practice's page."""


class LinkConfirmed(LinkInvalid):
    """The on-screen link of a booking confirmed by email since: retired, but said kindly."""


def appointment_or_404(token: str):
    appointment = selectors.appointment_get_by_token(token)
    if appointment is None:
        if selectors.appointment_confirmed_since_token(token):
            raise LinkConfirmed
        raise LinkInvalid
    return appointment


def link_invalid(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """ "This link is incomplete or has expired", and how to get a new one: a 404.

    Rendered here rather than raised as Http404, so the demo (DEBUG on) shows
    the practice's page too, not Django's technical one. Also the answer to an
    address under /book/manage/ that matches no page (cut at a slash, or with
    something added).
    """
    context = {"practice": practice_current(), "message": LINK_INVALID}
    return render(request, "booking/link_invalid.html", context, status=404)


def link_confirmed(request: HttpRequest) -> HttpResponse:
    """The link shown before the email was confirmed, opened after: the booking stands,
    and the private link is in the confirmation email (nothing else is said)."""
    context = {"practice": practice_current()}
    # 410: this link is gone for good (the page says where the working one is).
    return render(request, "booking/link_confirmed.html", context, status=410)


def link_page(view):
    """A view reached from an emailed link: an unknown token answers ``link_invalid``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except LinkConfirmed:
            return link_confirmed(request)
        except LinkInvalid:
            return link_invalid(request)

    return wrapped


def manage(request: HttpRequest, token: str, *, message: str = "", status: int = 200):
    appointment = appointment_or_404(token)
    if appointment.status == AppointmentStatus.HELD:
        return redirect("booking:details", token=token)
    client = appointment.client
    shown_zone, zone_notice = _shown_zone(request, client)
    # All of a client's sessions only behind a link the address's owner received.
    client_feed = (
        feeds.feed_get_or_create(kind=FeedKind.CLIENT, practice=appointment.practice, client=client)
        if selectors.manage_link_shows_client(appointment)
        else None
    )
    deadline = policy.late_cancel_deadline(appointment)
    now = timezone.now()
    banner, changed_since = _banner(request, appointment)
    context = {
        "appointment": appointment,
        "practice": appointment.practice,
        "token": token,
        "banner": banner,
        "changed_since": changed_since,
        "manage_url": request.build_absolute_uri(reverse("booking:manage", args=[token])),
        "deadline": deadline,
        "can_change": appointment.is_active and now < deadline,
        "window": policy.humanize_duration(appointment.practice.late_cancel_window),
        "client_zone": shown_zone,
        "booking_zone": client.time_zone,
        "therapist_zone_differs": appointment.start.astimezone(
            appointment.therapist.zone
        ).utcoffset()
        != appointment.start.astimezone(get_zone(shown_zone)).utcoffset(),
        "feed_urls": feeds.feed_urls(client_feed)
        if client_feed and client_feed.is_active
        else None,
        "proven": client_feed is not None,
        "awaiting_email": appointment.email_confirm_by is not None,
        "google_url": calendar_links.google(appointment),
        "outlook_url": calendar_links.outlook(appointment),
        "reschedule_url": reverse("booking:times")
        + f"?session_type={appointment.session_type_id}&therapist={appointment.therapist_id}"
        + f"&tz={shown_zone}&reschedule={token}",
        "message": message,
        "zone_notice": zone_notice,
        **_video_context(appointment, now),
    }
    return render(request, "booking/manage.html", context, status=status)


def _video_context(appointment, now) -> dict:
    """Join now, or when Join will appear; nothing when no link is sent (no provider)."""
    if not video.video_link(appointment) or now >= appointment.end:
        return {}
    if video.join_open(appointment, now=now):
        return {"video_join": True}
    opens = video.join_opens_at(appointment)
    # A page left open shows Join when it opens (static/booking/booking.js reloads it then).
    return {"video_join_at": opens, "video_join_in": int((opens - now).total_seconds()) + 1}


def _shown_zone(request: HttpRequest, client) -> tuple[str, str]:
    """The zone a client's own page reads in: the booking's, unless they chose theirs
    (``?tz=``, offered when the browser's zone differs; never switched on its own);
    and what to say if the one chosen is not a zone we know (``zone_asked``)."""
    return zone_asked(request.GET.get("tz", ""), fallback=client.time_zone, whose="your booking's")


def zone_asked(asked: str, *, fallback: str, whose: str) -> tuple[str, str]:
    """The zone a client's page reads in, and what to tell them about it.

    ``asked`` (the address's or form's ``tz``) if we know it; otherwise ``fallback``
    and a notice naming both, so a page never swaps the zone silently. ``whose``
    says what the fallback is ("the practice's").
    """
    if not asked:
        return fallback, ""
    name = zone_read(asked)
    if name is not None:
        return name, ""
    shown = zone_label(fallback, timezone.now())
    right = zone_suggestion(asked)
    return fallback, (
        f"\u201c{_as_typed(asked)}\u201d is not a time zone we know"
        + (f" (did you mean {right}?)" if right else "")
        + f", so the times here are in {shown}, {whose} time zone."
    )


def _as_typed(asked: str, most: int = 40) -> str:
    """What someone asked for, to quote back: shortened, and with characters that print
    as nothing (controls, NUL) shown as \ufffd rather than as an empty pair of quotes."""
    text = "".join(c if c.isprintable() else "\ufffd" for c in asked.strip())
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def manage_url_with_news(token: str, news: str, appointment) -> str:
    """The manage page announcing ``news`` ("booked", "moved") about the session as it is now.

    The address carries the start it announces (UTC epoch seconds: a time, no
    name), so an old address never says "You are booked" above a session moved
    or cancelled since.
    """
    at = int(appointment.start.timestamp())
    return reverse("booking:manage", args=[token]) + "?" + urlencode({news: 1, "at": at})


# News an address may announce; the others (booked, moved) are checked against "at".
_NEWS = ("booked", "new_links", "moved", "cancelled")


def _banner(request: HttpRequest, appointment) -> tuple[str, bool]:
    """The news an address like ``?booked=1&at=…`` announces if it is still true, and
    whether it announced news that is no longer true (the page then says so)."""
    cancelled = appointment.status in {
        AppointmentStatus.CANCELLED,
        AppointmentStatus.LATE_CANCELLED,
    }
    still_there = appointment.is_active and request.GET.get("at", "") == str(
        int(appointment.start.timestamp())
    )
    true_now = {
        "booked": still_there,
        "new_links": True,
        "moved": still_there,
        "cancelled": cancelled,
    }
    announced = [flag for flag in _NEWS if request.GET.get(flag)]
    for flag in announced:
        if true_now[flag]:
            return flag, False
    return "", bool(announced)


manage_page = require_GET(rate_limited("manage")(link_page(manage)))


@require_GET
@rate_limited("manage")
@link_page
def join(request: HttpRequest, token: str) -> HttpResponse:
    """The client's Join: a redirect to the video room while it is open, else the manage page.

    The room's address goes only in this answer's Location (never logged, never in our
    addresses), so the manage page can be shared or cached without it.
    """
    appointment = appointment_or_404(token)
    url = video.join_url(appointment)
    if not url:
        message = (
            "The video room is open from 10 minutes before the session until its end."
            if appointment.is_active
            else "This session is no longer booked, so it has no video room."
        )
        return manage(request, token, message=message, status=409)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "POST"])
@rate_limited("manage")
@link_page
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "cancel this session?" (with an optional reason); POST cancels."""
    appointment = appointment_or_404(token)
    if request.method == "GET":
        return _confirm_change(request, token, appointment, action="cancel")
    try:
        services.appointment_cancel(
            appointment=appointment,
            actor=services.Actor.CLIENT,
            reason=request.POST.get("reason", "")[:500],
        )
    except BookingError as exc:
        return manage(request, token, message=exc.message, status=409)
    return redirect(reverse("booking:manage", args=[token]) + "?cancelled=1")


@require_http_methods(["GET", "POST"])
@rate_limited("manage")
@link_page
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks "move your session of … to …?"; POST moves it."""
    appointment = appointment_or_404(token)
    data = request.POST if request.method == "POST" else request.GET
    try:
        start = AwareDateTimeField().to_internal_value(data.get("start", ""))
        if request.method == "GET":
            return _confirm_change(request, token, appointment, action="move", start=start)
        appointment = services.appointment_reschedule(
            appointment=appointment, start=start, actor=services.Actor.CLIENT
        )
    except (BookingError, ValidationError) as exc:
        text = getattr(exc, "message", None) or "Please pick one of the times shown."
        return manage(request, token, message=text, status=409)
    return redirect(manage_url_with_news(token, "moved", appointment))


def _confirm_change(request, token, appointment, *, action: str, start=None) -> HttpResponse:
    if not appointment.is_active:
        return redirect("booking:manage", token=token)
    context = {
        "appointment": appointment,
        "practice": appointment.practice,
        "token": token,
        "action": action,
        "start": start,
        "end": start + (appointment.end - appointment.start) if start else None,
    }
    context["client_zone"], context["zone_notice"] = _shown_zone(request, appointment.client)
    return render(request, "booking/confirm_change.html", context)


@require_GET
@link_page
def appointment_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The session as a calendar file: the same event (UID, SEQUENCE) as emails and feeds."""
    appointment = appointment_or_404(token)
    body = ics.client_invitation(appointment, method="PUBLISH", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response


@require_POST
@rate_limited("manage")
@link_page
def new_links(request: HttpRequest, token: str) -> HttpResponse:
    """The client retires every link of theirs (this one, emailed ones, the calendar feed)."""
    appointment = appointment_or_404(token)
    if not selectors.manage_link_shows_client(appointment):
        raise Http404("Confirm your email first: the link we sent you has a button for it.")
    services.client_links_replace(client=appointment.client)
    appointment.client.refresh_from_db()
    new = selectors.manage_token(appointment)
    return redirect(reverse("booking:manage", args=[new]) + "?new_links=1")


@rate_limited("manage")
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the "confirm your booking" email: a button, so mail scanners that
    open links do not confirm for the reader."""
    public_id = public_id_from_confirm_token(token, max_age=EMAIL_CONFIRM_WINDOW)
    appointment = selectors.appointment_get_by_public_id(public_id) if public_id else None
    if appointment is None or appointment.client is None:
        return _confirm_page(request, state="invalid", status=404)
    if appointment.email_confirm_by is None and appointment.client.is_verified:
        # Done already. Not a way back to the booking: the links it would hand out
        # may have been replaced since, and the confirmation email carries them.
        return _confirm_page(request, state="done", appointment=appointment)
    if appointment.email_confirm_by is None:
        message = "This request was cancelled, so there is nothing to confirm."
        return _confirm_page(request, state="lapsed", message=message, status=409)
    if request.method != "POST":
        return _confirm_page(request, state="ask", appointment=appointment)
    try:
        appointment = services.appointment_confirm_email(appointment=appointment)
    except BookingError as exc:
        return _confirm_page(request, state="lapsed", message=exc.message, status=409)
    audit(
        request,
        action=AuditAction.CHANGE,
        what="identity",
        client=appointment.client,
        fields=["email_confirmed"],
        via="link",
    )
    return redirect(
        manage_url_with_news(selectors.manage_token(appointment), "booked", appointment)
    )


def _confirm_page(request, *, state: str, appointment=None, message="", status=200):
    practice = appointment.practice if appointment else practice_current()
    context = {"state": state, "appointment": appointment, "practice": practice, "message": message}
    return render(request, "booking/confirm_email.html", context, status=status)
