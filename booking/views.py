"""HTML views for clients. The full booking pages come with the booking-pages issue."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from booking import feeds, ics, policy, selectors
from booking.models import FeedKind
from booking.tokens import public_id_from_token


def _appointment_or_404(token: str):
    public_id = public_id_from_token(token)
    appointment = public_id and selectors.appointment_get_by_public_id(public_id)
    if not appointment:
        raise Http404("This link is not valid. Check that you copied all of it.")
    return appointment


@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _appointment_or_404(token)
    client_feed = feeds.feed_get_or_create(
        kind=FeedKind.CLIENT, practice=appointment.practice, client=appointment.client
    )
    context = {
        "appointment": appointment,
        "token": token,
        "deadline": policy.late_cancel_deadline(appointment),
        "feed_urls": feeds.feed_urls(client_feed) if client_feed.is_active else None,
    }
    return render(request, "booking/manage.html", context)


@require_GET
def appointment_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The session as a calendar file: the same event (UID, SEQUENCE) as emails and feeds."""
    appointment = _appointment_or_404(token)
    body = ics.client_invitation(appointment, method="PUBLISH", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response
