"""Calendar feeds over HTTP, and the page where staff copy, tune and rotate theirs."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_POST, require_safe

from booking.feeds import feeds
from booking.models import CalendarFeed, FeedKind, FeedPrivacy
from practice.access import staff_required
from practice.ratelimit import too_many


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself. Answers 304 from its versions when nothing changed.

    Rate-limited per feed, not per address: hosted calendar services (Google's) fetch
    everyone's feeds from a few shared addresses. A token that grants no feed counts
    against its address, so guessing stays limited.
    """
    feed = feeds.feed_resolve(token)
    refused = too_many(request, "feed", ident=f"feed-{feed.public_id}" if feed else None)
    if refused is not None:
        return refused
    if feed is None:
        raise Http404("This calendar link is not valid, or was replaced by a new one.")
    now = timezone.now()
    etag, last_modified = feeds.feed_validators(feed, now)
    quoted = quote_etag(etag)
    response = get_conditional_response(
        request, etag=quoted, last_modified=int(last_modified.timestamp())
    )
    feeds.feed_record_fetch(feed=feed, meta=request.META, now=now, not_modified=bool(response))
    if response is None:
        response = HttpResponse(
            feeds.feed_body(feed, now, etag), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["ETag"] = quoted
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "private, no-cache"
    return response


# --- the staff page ---------------------------------------------------------------

APPS = [
    ("Google-Calendar-Importer", "Google Calendar"),
    ("Google", "Google Calendar"),
    ("dataaccessd", "Apple Calendar"),
    ("CalendarAgent", "Apple Calendar"),
    ("iOS", "Apple Calendar"),
    ("macOS", "Apple Calendar"),
    ("Microsoft", "Outlook"),
    ("Outlook", "Outlook"),
]


def app_name(user_agent: str) -> str:
    for marker, name in APPS:
        if marker.lower() in user_agent.lower():
            return name
    return "a calendar app" if user_agent else "an unknown client"


def _feeds_for(staff) -> list[CalendarFeed]:
    """The feeds this staff member owns: a therapist their own; the front desk and
    owners the practice's."""
    if staff.is_therapist:
        return [
            feeds.feed_get_or_create(
                kind=FeedKind.THERAPIST, practice=staff.practice, therapist=staff.therapist
            )
        ]
    return [feeds.feed_get_or_create(kind=FeedKind.PRACTICE, practice=staff.practice)]


def _feed_of(staff, feed_id) -> CalendarFeed:
    for feed in _feeds_for(staff):
        if str(feed.public_id) == str(feed_id):
            return feed
    raise Http404("No such feed of yours.")


@staff_required
def my_feeds(request: HttpRequest) -> HttpResponse:
    panels = []
    for feed in _feeds_for(request.staff):
        last = feeds.feed_last_fetch(feed)
        panels.append(
            {
                "feed": feed,
                "urls": feeds.feed_urls(feed) if feed.is_active else None,
                "last": last,
                "last_app": app_name(last.user_agent) if last else "",
            }
        )
    return render(
        request,
        "booking/staff_feeds.html",
        {
            "panels": panels,
            "privacy_choices": FeedPrivacy.choices,
            "nav": "feeds",
            "days_back": feeds.PAST.days,
            "days_ahead": feeds.AHEAD.days,
        },
    )


@staff_required
@require_POST
def feed_settings(request: HttpRequest, feed_id) -> HttpResponse:
    feed = _feed_of(request.staff, feed_id)
    privacy = request.POST.get("privacy", "")
    if privacy not in FeedPrivacy.values:
        messages.error(request, "Choose one of the privacy levels listed.")
        return redirect("staff-feeds")
    feeds.feed_update_settings(
        feed=feed, privacy=privacy, include_time_off=request.POST.get("include_time_off") == "on"
    )
    messages.success(request, "Saved. Calendar apps pick it up at their next refresh.")
    return redirect("staff-feeds")


@staff_required
@require_POST
def feed_rotate(request: HttpRequest, feed_id) -> HttpResponse:
    feeds.feed_rotate(feed=_feed_of(request.staff, feed_id))
    messages.success(
        request, "New link made. The old one stopped working: subscribe again with the new one."
    )
    return redirect("staff-feeds")


@staff_required
@require_POST
def feed_revoke(request: HttpRequest, feed_id) -> HttpResponse:
    feeds.feed_revoke(feed=_feed_of(request.staff, feed_id))
    messages.success(request, "Link turned off. Make a new one whenever you want it back.")
    return redirect("staff-feeds")
