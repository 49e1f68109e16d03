"""Private calendar feeds: tokens, what each feed shows, and HTTP validators.

A feed shows, for its owner, sessions from 90 days back to 365 days ahead
(a client's feed: from yesterday on), cancelled ones kept as STATUS:CANCELLED
for 30 days after the cancellation so calendar apps remove them, and (for a
therapist, unless switched off) time off as busy blocks. Nothing clinical is
ever in a feed; client names only at the owner's chosen privacy level.
"""

import hashlib
import ipaddress
import secrets
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse

from booking import ics
from booking.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    FeedFetch,
    FeedKind,
    FeedPrivacy,
    TimeOff,
)
from booking.slots import time_off_span
from booking.tokens import feed_id_from_token, feed_token_for, feed_token_valid
from clients.models import Client
from practice.models import Modality, Practice, Therapist

PAST = timedelta(days=90)
AHEAD = timedelta(days=365)
TOMBSTONE = timedelta(days=30)
# Bump when the feed's text changes shape, so every ETag changes with it.
FORMAT_VERSION = "1"

CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)


# --- writes ---------------------------------------------------------------------


def feed_get_or_create(
    *,
    kind: str,
    practice: Practice,
    therapist: Therapist | None = None,
    client: Client | None = None,
) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(
        practice=practice,
        kind=kind,
        therapist=therapist,
        client=client,
        defaults={"secret": secrets.token_urlsafe(32)},
    )
    return feed


def feed_rotate(*, feed: CalendarFeed) -> CalendarFeed:
    """A new URL; the old one answers 404 from now on. Also re-enables a revoked feed."""
    feed.secret = secrets.token_urlsafe(32)
    feed.is_active = True
    feed.save(update_fields=["secret", "is_active", "updated_at"])
    return feed


def feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    feed.is_active = False
    feed.save(update_fields=["is_active", "updated_at"])
    return feed


def feed_update_settings(
    *, feed: CalendarFeed, privacy: str, include_time_off: bool
) -> CalendarFeed:
    feed.privacy = privacy
    feed.include_time_off = include_time_off
    feed.full_clean()
    feed.save(update_fields=["privacy", "include_time_off", "updated_at"])
    return feed


def feed_record_fetch(*, feed: CalendarFeed, meta: dict, now: datetime, not_modified: bool):
    FeedFetch.objects.create(
        feed=feed,
        fetched_at=now,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:200],
        ip_prefix=ip_prefix(meta.get("REMOTE_ADDR", "")),
        not_modified=not_modified,
    )


# --- reads ----------------------------------------------------------------------


def feed_urls(feed: CalendarFeed) -> dict:
    path = reverse("calendar-feed", args=[feed_token_for(feed.public_id, feed.secret)])
    https = settings.SITE_URL + path
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def feed_resolve(token: str) -> CalendarFeed | None:
    """The active feed a token grants, or None (unknown, forged, rotated or revoked)."""
    public_id = feed_id_from_token(token)
    if public_id is None:
        return None
    feed = (
        CalendarFeed.objects.select_related("practice", "therapist", "client")
        .filter(public_id=public_id, is_active=True)
        .first()
    )
    if feed is None or not feed_token_valid(token, feed.secret):
        return None
    return feed


def feed_last_fetch(feed: CalendarFeed) -> FeedFetch | None:
    return feed.fetches.first()


def feed_appointments(feed: CalendarFeed, now: datetime) -> QuerySet[Appointment]:
    if feed.kind == FeedKind.CLIENT:
        window = Q(start__gte=now - timedelta(days=1), start__lt=now + AHEAD)
        scope = Q(client_id=feed.client_id)
    else:
        window = Q(start__gte=now - PAST, start__lt=now + AHEAD)
        scope = Q(practice_id=feed.practice_id)
        if feed.kind == FeedKind.THERAPIST:
            scope = Q(therapist_id=feed.therapist_id)
    # Cancelled sessions linger as tombstones so subscribed calendars drop them.
    shown = ~Q(status__in=CANCELLED) | Q(cancelled_at__gte=now - TOMBSTONE)
    return Appointment.objects.filter(scope, window, shown)


def feed_time_off(feed: CalendarFeed, now: datetime) -> QuerySet[TimeOff]:
    if feed.kind != FeedKind.THERAPIST or not feed.include_time_off:
        return TimeOff.objects.none()
    first, last = (now - PAST).date(), (now + AHEAD).date()
    return TimeOff.objects.filter(
        Q(therapist_id=feed.therapist_id) | Q(therapist__isnull=True, practice_id=feed.practice_id),
        start_date__lte=last,
        end_date__gte=first,
    )


def feed_validators(feed: CalendarFeed, now: datetime) -> tuple[str, datetime]:
    """A strong ETag and a Last-Modified, from two aggregate queries (no feed built).

    The window moves daily, so today's date is part of the ETag and the day's
    start a floor for Last-Modified.
    """
    # Every change to a session bumps its sequence, so the sum moves even when
    # two changes share a timestamp.
    sessions = feed_appointments(feed, now).aggregate(
        changed=Max("updated_at"),
        n=Count("pk"),
        versions=Sum("sequence"),
        names=Max("client__updated_at"),
    )
    off = feed_time_off(feed, now).aggregate(changed=Max("updated_at"), n=Count("pk"))
    today = now.astimezone(UTC).date()
    parts = [
        FORMAT_VERSION,
        feed.pk,
        feed.updated_at,
        feed.privacy,
        feed.include_time_off,
        sessions["changed"],
        sessions["n"],
        sessions["versions"],
        sessions["names"],
        off["changed"],
        off["n"],
        today,
    ]
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    candidates = [
        feed.updated_at,
        sessions["changed"],
        off["changed"],
        datetime.combine(today, time(0), tzinfo=UTC),
    ]
    return etag, max(c for c in candidates if c is not None)


def feed_build(feed: CalendarFeed, now: datetime) -> bytes:
    """The feed's text: two queries (sessions, time off), whatever the number of events."""
    appointments = (
        feed_appointments(feed, now)
        .select_related("therapist", "session_type", "client")
        .order_by("start")
    )
    events = [ics.appointment_event(a, **_describe(feed, a)) for a in appointments]
    if feed.kind == FeedKind.THERAPIST:
        zone = feed.therapist.zone
        for off in feed_time_off(feed, now).order_by("start_date"):
            start, end = time_off_span(
                zone, off.start_date, off.start_time, off.end_date, off.end_time
            )
            events.append(
                ics.busy_event(
                    uid=f"time-off-{off.pk}-{feed.therapist_id}@{ics.uid_domain()}",
                    start=start,
                    end=end,
                    changed=off.updated_at,
                )
            )
    return ics.feed_calendar(
        uid=f"feed-{feed.public_id}@{ics.uid_domain()}",
        name=_feed_name(feed),
        zone_name=_feed_zone(feed),
        events=events,
    )


def _describe(feed: CalendarFeed, appointment: Appointment) -> dict:
    """Summary and location at the feed's privacy level. Never anything clinical."""
    session = appointment.session_type.name
    if feed.kind == FeedKind.CLIENT:
        telehealth = appointment.session_type.modality == Modality.TELEHEALTH
        where = "Telehealth" if telehealth else (feed.practice.address or feed.practice.name)
        return {
            "summary": f"{session} with {appointment.therapist.display_name}",
            "location": where,
        }
    summary = session
    if feed.kind == FeedKind.PRACTICE:
        summary = f"{session} · {appointment.therapist.display_name}"
    client = appointment.client
    if feed.privacy == FeedPrivacy.INITIALS:
        summary += " — " + f"{client.first_name[:1]}.{client.last_name[:1]}.".upper()
    elif feed.privacy == FeedPrivacy.FULL:
        summary += f" — {client.first_name} {client.last_name}"
    return {"summary": summary}


def _feed_name(feed: CalendarFeed) -> str:
    if feed.kind == FeedKind.THERAPIST:
        return f"{feed.therapist.display_name} · {feed.practice.name}"
    if feed.kind == FeedKind.CLIENT:
        return f"My sessions · {feed.practice.name}"
    return f"{feed.practice.name} · all sessions"


def _feed_zone(feed: CalendarFeed) -> str:
    if feed.kind == FeedKind.THERAPIST:
        return feed.therapist.time_zone
    if feed.kind == FeedKind.CLIENT:
        return feed.client.time_zone
    return feed.practice.time_zone


def ip_prefix(address: str) -> str:
    """The network, not the address: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))
