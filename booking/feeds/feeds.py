"""Private calendar feeds: tokens, what each feed shows, and HTTP validators.

A feed shows, for its owner, sessions from 90 days back to 365 days ahead
(a client's feed: from yesterday on), never a cancelled one (a subscribed feed
is a whole snapshot: every calendar app drops an event that is no longer in it,
while several ignore STATUS:CANCELLED and would go on showing it), and (for a
therapist, unless switched off) time off as busy blocks. Nothing clinical is
ever in a feed; client names only at the owner's chosen privacy level.
"""

import hashlib
import ipaddress
import secrets
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from booking import video
from booking.feeds import ics
from booking.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    EpochSeconds,
    FeedFetch,
    FeedKind,
    FeedPrivacy,
    FeedVersion,
    TimeOff,
)
from booking.scheduling.selectors import time_off_applying, time_off_dates
from booking.scheduling.slots import clamp_day, time_off_span
from booking.tokens import feed_id_from_token, feed_token_for, feed_token_valid
from clients.models import Client
from practice.models import Modality, Practice, Therapist
from practice.sql import Columns, prepared_cursor

PAST = timedelta(days=90)
AHEAD = timedelta(days=365)
# A client's feed stops answering this long after their last session.
CLIENT_FEED_AFTERLIFE = timedelta(days=30)
# Bump when the feed's text changes shape, so every ETag and cached event changes with it.
FORMAT_VERSION = "2"
EVENT_CACHE_SECONDS = 7 * 24 * 3600

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


def feeds_retire_urls_of_client(*, client: Client) -> None:
    """A new secret for each of a client's feeds: every URL handed out before stops working.

    Unlike ``feed_rotate`` it does not re-enable a revoked feed.
    """
    for feed in CalendarFeed.objects.filter(client=client):
        feed.secret = secrets.token_urlsafe(32)
        feed.save(update_fields=["secret", "updated_at"])


def feeds_delete_of_client(*, client: Client) -> None:
    CalendarFeed.objects.filter(client=client).delete()


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
    """The active feed a token grants, or None (unknown, forged, rotated or revoked).

    One hand-written, prepared read of the feed with its practice, therapist and
    client (a calendar app asks every few minutes; the ORM took longer to compile
    this query, four models wide, than PostgreSQL took to run it)."""
    public_id = feed_id_from_token(token)
    if public_id is None:
        return None
    sql, parts = _resolve_sql()
    key = CalendarFeed._meta.get_field("public_id").get_db_prep_value(public_id, connection)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    made, at = [], 0
    for columns in parts:
        values = row[at : at + len(columns)]
        at += len(columns)
        made.append(None if values[0] is None else columns.instance(values))
    feed, practice, therapist, client = made
    feed.practice, feed.therapist, feed.client = practice, therapist, client
    if therapist is not None:
        therapist.practice = practice
    if not feed_token_valid(token, feed.secret):
        return None
    if feed.kind == FeedKind.CLIENT and not _client_feed_alive(feed):
        return None
    return feed


@lru_cache(maxsize=1)
def _resolve_sql() -> tuple[str, tuple[Columns, ...]]:
    parts = (
        Columns(CalendarFeed, "f"),
        Columns(Practice, "p"),
        Columns(Therapist, "t"),
        Columns(Client, "c"),
    )
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)} "  # noqa: S608 (columns from the models)
        "FROM booking_calendarfeed f JOIN practice_practice p ON p.id = f.practice_id "
        "LEFT JOIN practice_therapist t ON t.id = f.therapist_id "
        "LEFT JOIN clients_client c ON c.id = f.client_id "
        "WHERE f.public_id = %s AND f.is_active"
    )
    return sql, parts


def _client_feed_alive(feed: CalendarFeed) -> bool:
    """A client's feed works for a proven client while they have a session that is
    coming up, or ended (or was cancelled) within CLIENT_FEED_AFTERLIFE."""
    if feed.client.anonymised_at is not None or not feed.client.is_verified:
        return False
    since = timezone.now() - CLIENT_FEED_AFTERLIFE
    live = ~Q(status__in=(*CANCELLED, AppointmentStatus.HELD)) & Q(end__gte=since)
    return (
        Appointment.objects.filter(client_id=feed.client_id)
        .filter(live | Q(cancelled_at__gte=since))
        .exists()
    )


def feed_last_fetch(feed: CalendarFeed) -> FeedFetch | None:
    return feed.fetches.first()


def feed_appointments(feed: CalendarFeed, now: datetime) -> QuerySet[Appointment]:
    """The sessions the feed shows: its window, without cancelled ones."""
    return _feed_window(feed, now).exclude(status__in=CANCELLED)


def _feed_window(feed: CalendarFeed, now: datetime) -> QuerySet[Appointment]:
    """Every session in the feed's window, cancelled ones included."""
    if feed.kind == FeedKind.CLIENT:
        window = Q(start__gte=now - timedelta(days=1), start__lt=now + AHEAD)
        scope = Q(client_id=feed.client_id)
    else:
        window = Q(start__gte=now - PAST, start__lt=now + AHEAD)
        scope = Q(practice_id=feed.practice_id)
        if feed.kind == FeedKind.THERAPIST:
            scope = Q(therapist_id=feed.therapist_id)
    held = Q(status=AppointmentStatus.HELD)  # not a session yet
    return Appointment.objects.filter(scope, window).exclude(held)


def feed_time_off(feed: CalendarFeed, now: datetime) -> QuerySet[TimeOff]:
    if feed.kind != FeedKind.THERAPIST or not feed.include_time_off:
        return TimeOff.objects.none()
    first, last = (now - PAST).date(), (now + AHEAD).date()
    return time_off_applying(
        practice_id=feed.practice_id,
        therapist_ids=[feed.therapist_id],
        first_day=first,
        last_day=last,
    )


@lru_cache(maxsize=1)
def _versions_sql() -> tuple[str, Columns, Columns]:
    """The feed's versions (none, one or both may exist yet) and the database's time,
    in at least one row; the columns to read each row's first three and its last."""
    versions = Columns(FeedVersion, "v", ("key", "version", "changed_at"))
    clock = {
        "postgresql": "statement_timestamp()",
        "sqlite": "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now')",  # %% : a parameter-style query
    }[connection.vendor]
    sql = (
        f"SELECT {versions.sql}, {clock} "  # noqa: S608 (no input in it)
        "FROM (SELECT 1) one LEFT JOIN booking_feed_version v ON v.key IN (%s, %s)"
    )
    # The clock is read as changed_at is (a timestamp, a string on SQLite).
    return sql, versions, Columns(FeedVersion, "v", ("changed_at",))


def feed_scopes(feed: CalendarFeed) -> tuple[str, str]:
    """The keys of the two feed versions (``FeedVersion``, kept by triggers) whose
    scopes hold everything this feed shows besides its own row."""
    if feed.kind == FeedKind.THERAPIST:
        return f"therapist:{feed.therapist_id}", f"practice:{feed.practice_id}"
    return f"sessions:{feed.practice_id}", f"practice:{feed.practice_id}"


def feed_validators(feed: CalendarFeed, now: datetime) -> tuple[str, datetime]:
    """A strong ETag and a Last-Modified, from one small read (no feed built, no
    session read): the versions of the feed's scopes, which triggers bump in the
    transaction of every write that changes what the feed says.

    The window moves daily, so today's date is part of the ETag and the day's
    start a floor for Last-Modified.
    """
    keys = feed_scopes(feed)
    sql, versions_read, clock_read = _versions_sql()
    with prepared_cursor() as cursor:
        cursor.execute(sql, keys)
        rows = cursor.fetchall()
    # The database's clock, which stamps the changes: what "this second" means for them.
    (clock,) = clock_read.convert(rows[0][3:])
    rows = [versions_read.convert(row[:3]) for row in rows if row[0] is not None]
    found = {key: (version, changed_at) for key, version, changed_at in rows}
    versions = [found.get(key, (None, None)) for key in keys]
    today = now.astimezone(UTC).date()
    parts = [
        FORMAT_VERSION,
        feed.public_id,
        feed.updated_at,
        feed.privacy,
        feed.include_time_off,
        *keys,
        *(version for version, _ in versions),
        today,
    ]
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    candidates = [
        feed.updated_at,
        *(changed_at for _, changed_at in versions),
        datetime.combine(today, time(0), tzinfo=UTC),
    ]
    return etag, last_modified(max(c for c in candidates if c is not None), clock)


def last_modified(changed: datetime, now: datetime) -> datetime:
    """The Last-Modified to send for a feed last changed at ``changed``, asked at ``now``
    (by the clock that stamps the changes).

    HTTP dates count whole seconds: a change later in the second a client last fetched
    in would carry the same date, and a calendar app that sends only If-Modified-Since
    would be told "not modified" for good. So a change within the current second is
    dated the second before: asked again once that second is over, the feed shows
    the true date, later than anything it said before the change.
    """
    changed = changed.replace(microsecond=0)
    if changed >= now.replace(microsecond=0):
        return changed - timedelta(seconds=1)
    return changed


# What one event needs, read as flat rows: building 10,000 model instances (and
# loading 40,000 timestamptz values through Django's Python loader) would cost
# more than rendering the feed.
EVENT_FIELDS = (
    "public_id",
    "sequence",
    "status",
    "session_type__name",
    "session_type__modality",
    "therapist__display_name",
    "client__first_name",
    "client__last_name",
    "video_room",
    "therapist_id",
)


def feed_build(feed: CalendarFeed, now: datetime) -> bytes:
    """The feed's text: two queries (sessions, time off), whatever the number of events.

    Each event is written directly (``ics.appointment_event_bytes``: the same
    bytes ``icalendar`` writes, at a tenth of its cost), and its text is cached
    under a key made of everything it says (content-addressed: a changed
    session or privacy level is simply a new key). A change to one session of
    a 10,000-event feed re-renders one event, not 10,000.
    """
    rows = (
        feed_appointments(feed, now)
        .order_by("start")
        .annotate(
            t_start=EpochSeconds("start"),
            t_end=EpochSeconds("end"),
            t_changed=EpochSeconds("updated_at"),
        )
        .values_list("t_start", "t_end", "t_changed", *EVENT_FIELDS)
    )
    blocks = _cached_blocks(feed, rows, _VideoLinks(feed))
    if feed.kind == FeedKind.THERAPIST:
        zone = feed.therapist.zone
        first, last = (now - PAST).date(), (now + AHEAD).date()
        for off in feed_time_off(feed, now).order_by("start_date"):
            # A yearly holiday appears once for each year in the window, each with its own UID.
            for start_date, end_date in time_off_dates(off, first, last):
                year = f"-{start_date.year}" if off.repeats_yearly else ""
                uid = f"time-off-{off.pk}{year}-{feed.therapist_id}@{ics.uid_domain()}"
                if off.start_time is None and off.end_time is None:
                    # Whole days: all-day events on the therapist's own dates, which a
                    # calendar shows as those dates in any zone (not a 24-hour UTC span).
                    event = ics.busy_event(
                        uid=uid,
                        start=clamp_day(start_date),
                        end=clamp_day(end_date) + timedelta(days=1),
                        changed=off.updated_at,
                    )
                else:
                    start, end = time_off_span(
                        zone, start_date, off.start_time, end_date, off.end_time
                    )
                    event = ics.busy_event(uid=uid, start=start, end=end, changed=off.updated_at)
                blocks.append(event.to_ical())
    return ics.feed_calendar(
        name=_feed_name(feed),
        event_blocks=blocks,
    )


def feed_body(feed: CalendarFeed, now: datetime, etag: str) -> bytes:
    """The feed's text for this ETag: built once, then served from the cache.

    Not every calendar app sends If-None-Match, so unchanged feeds are kept
    whole too; a new ETag (any change) is simply a new key.
    """
    key = f"feed-body:{feed.public_id}:{etag}"
    body = cache.get(key)
    if body is None:
        body = feed_build(feed, now)
        cache.set(key, body, timeout=24 * 3600)
    return body


class _VideoLinks:
    """Video links for a feed at the "full" privacy level, and no other (booking/video.py).

    Therapists are read once, and only when the feed has a video session to link.
    """

    def __init__(self, feed: CalendarFeed):
        self.feed = feed
        self.shown = feed.privacy == FeedPrivacy.FULL
        self._therapists = None

    def link(self, *, modality, status, room, therapist_id, t_start, t_end) -> str:
        if not (self.shown and modality == Modality.TELEHEALTH and status == "confirmed"):
            return ""
        if self._therapists is None:
            therapists = Therapist.objects.filter(practice_id=self.feed.practice_id)
            self._therapists = {t.pk: t for t in therapists.select_related("practice")}
        return video.link_for(
            room=room,
            start=datetime.fromtimestamp(t_start, UTC),
            end=datetime.fromtimestamp(t_end, UTC),
            therapist=self._therapists[therapist_id],
            host=self.feed.kind == FeedKind.THERAPIST,
        )


def _cached_blocks(feed: CalendarFeed, rows, links: _VideoLinks) -> list[bytes]:
    items = []
    for t_start, t_end, t_changed, public_id, sequence, status, *names in rows:
        *names, room, therapist_id = names
        url = links.link(
            modality=names[1],
            status=status,
            room=room,
            therapist_id=therapist_id,
            t_start=t_start,
            t_end=t_end,
        )
        what = _describe(feed, *names, url=url)
        key = (FORMAT_VERSION, public_id, sequence, status, t_start, t_end, t_changed, what)
        items.append(("ics:" + hashlib.sha256(repr(key).encode()).hexdigest(), key))
    cached = cache.get_many([cache_key for cache_key, _ in items])
    fresh = {}
    blocks = []
    for cache_key, (_, public_id, sequence, status, t_start, t_end, t_changed, what) in items:
        block = cached.get(cache_key)
        if block is None:
            block = fresh[cache_key] = ics.appointment_event_bytes(
                public_id=public_id,
                start=datetime.fromtimestamp(t_start, UTC),
                end=datetime.fromtimestamp(t_end, UTC),
                changed=datetime.fromtimestamp(t_changed, UTC),
                sequence=sequence,
                status=status,
                **dict(what),
            )
        blocks.append(block)
    if fresh:
        cache.set_many(fresh, timeout=EVENT_CACHE_SECONDS)
    return blocks


def _describe(feed, session, modality, therapist_name, first_name, last_name, *, url="") -> tuple:
    """Summary (and location) at the feed's privacy level. Never anything clinical.

    A video session's link (``url``, only at the "full" level) is its LOCATION and URL.
    """
    linked = (("location", url), ("url", url)) if url else ()
    if feed.kind == FeedKind.CLIENT:
        telehealth = modality == Modality.TELEHEALTH
        where = "Telehealth" if telehealth else (feed.practice.address or feed.practice.name)
        if linked:
            return (("summary", f"{session} with {therapist_name}"), *linked)
        return (("summary", f"{session} with {therapist_name}"), ("location", where))
    summary = session
    if feed.kind == FeedKind.PRACTICE:
        summary = f"{session} · {therapist_name}"
    if feed.privacy == FeedPrivacy.INITIALS:
        summary += " — " + f"{first_name[:1]}.{last_name[:1]}.".upper()
    elif feed.privacy == FeedPrivacy.FULL:
        summary += f" — {first_name} {last_name}"
    return (("summary", summary), *linked)


def _feed_name(feed: CalendarFeed) -> str:
    if feed.kind == FeedKind.THERAPIST:
        return f"{feed.therapist.display_name} · {feed.practice.name}"
    if feed.kind == FeedKind.CLIENT:
        return f"My sessions · {feed.practice.name}"
    return f"{feed.practice.name} · all sessions"


def ip_prefix(address: str) -> str:
    """The network, not the address: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))
